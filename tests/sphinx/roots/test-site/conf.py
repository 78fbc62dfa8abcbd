extensions = ["myst_parser", "tutorial_runner"]
project = "site"
language = "ja"
locale_dirs = ["locale/"]
gettext_compact = False
html_theme = "pydata_sphinx_theme"
html_sidebars = {"**": ["tr-site-nav"]}
html_theme_options = {"navbar_center": [], "navbar_end": ["language-switch", "theme-switcher"],
                      "secondary_sidebar_items": ["page-toc"]}
html_show_sourcelink = False
tutorial_runner_environment = "plain"
tutorial_runner_cache_dir = "_cache"
tutorial_runner_languages = {"ja": "日本語", "en": "English"}
tutorial_runner_titles = {"ja": "チュートリアル", "en": "Tutorials"}
