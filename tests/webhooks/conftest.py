# The goals suite's fixtures: a mentorship and goals in any state.
from tests.goals.conftest import make_goal, mentorship  # noqa: F401
