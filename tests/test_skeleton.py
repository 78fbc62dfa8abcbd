from tutorial_runner.environment import PlainEnvironment, load_environment


def test_plain_environment_is_built_in():
    assert isinstance(load_environment("plain"), PlainEnvironment)


def test_unknown_environment_names_the_known_ones():
    import pytest

    with pytest.raises(LookupError, match="plain"):
        load_environment("no-such-environment")
