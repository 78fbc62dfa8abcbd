"""Replays the shell transcripts of tutorials and checks that their output still holds.

The runner knows documents, shells and matching; it knows nothing of Kubernetes.  What a
session runs against (PATH, variables, a background service) comes from an *environment*
plug-in found through the ``tutorial_runner.environments`` entry point group.
"""

__version__ = "0.1.0"


def setup(app):  # type: ignore[no-untyped-def]
    """Sphinx's entry: ``extensions = ["tutorial_runner"]``; Sphinx is imported only here."""
    from .sphinx import setup as setup_sphinx

    return setup_sphinx(app)
