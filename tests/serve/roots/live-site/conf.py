extensions = ["myst_parser", "tutorial_runner"]
project = "live"
language = "ja"
locale_dirs = ["locale/"]
gettext_compact = False
html_theme = "pydata_sphinx_theme"
html_sidebars = {"**": ["tr-site-nav"]}
html_theme_options = {"navbar_center": [], "navbar_end": ["language-switch", "theme-switcher"],
                      "secondary_sidebar_items": []}
html_show_sourcelink = False
tutorial_runner_environment = "sim"
tutorial_runner_verify_html = False
tutorial_runner_languages = {"ja": "日本語", "en": "English"}
