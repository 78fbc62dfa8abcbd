extensions = ["myst_parser", "tutorial_runner.sphinx"]
project = "parallel"
language = "en"
tutorial_runner_environment = "sim"
tutorial_runner_cache_dir = "_cache"
