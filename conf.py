"""Sphinx configuration of the site: Japanese source, English through gettext catalogues.

Built by ``make html`` (tutorial_runner/site.py): ``sphinx-build -c . docs …`` once per
language, into _build/html/ja and _build/html/en.
"""

project = "tutorial-runner"
author = "tutorial-runner contributors"
copyright = "2026, tutorial-runner contributors"

extensions = ["myst_parser", "sphinx_copybutton", "tutorial_runner"]

language = "ja"
locale_dirs = ["../locale/"]          # relative to the source directory, docs/
gettext_compact = False
gettext_uuid = False
gettext_location = True

root_doc = "index"
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "README.md"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# Prompts and output are marked as Pygments' gp/go spans: the button copies commands only.
copybutton_exclude = ".linenos, .gp, .go, .tr-commentary"

html_theme = "pydata_sphinx_theme"
# The site's title in each language (html_title itself is not translated).
tutorial_runner_titles = {
    "ja": "Kubernetes チュートリアル",
    "en": "Kubernetes tutorials",
}
html_static_path = []
html_show_sourcelink = False
html_sidebars = {"**": ["tr-site-nav"]}
html_theme_options = {
    "navbar_center": [],
    "navbar_end": ["language-switch", "theme-switcher"],
    "show_prev_next": True,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}

# `node $ CMD` runs CMD on a node of the simulated cluster (SPEC section 1).
tutorial_runner_input_prompts = ["node $ "]

# The languages the site is built in, each under _build/html/<code>/ (the switch's labels).
tutorial_runner_languages = {"ja": "日本語", "en": "English"}
