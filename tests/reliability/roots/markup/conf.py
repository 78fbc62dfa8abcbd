extensions = ["myst_parser", "tutorial_runner.sphinx"]
project = "markup"
language = "en"
tutorial_runner_environment = "plain"
tutorial_runner_cache_dir = "_cache"
