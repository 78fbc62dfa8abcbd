"""Containers: images, their files and environment, and the programs run inside them."""
