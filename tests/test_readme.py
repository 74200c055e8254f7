"""The README documents every setting and the two commands."""

import re

from newsmon.core.settings import Settings

from tests.conftest import REPO

UNPREFIXED = {"kafka_bootstrap_servers": "KAFKA_BOOTSTRAP_SERVERS", "redis_url": "REDIS_URL"}


def test_every_setting_is_in_the_configuration_table() -> None:
    readme = (REPO / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", readme, flags=re.M))
    expected = {UNPREFIXED.get(name, f"NEWSMON_{name.upper()}") for name in Settings.model_fields}
    assert expected == documented


def test_readme_commands_are_makefile_targets() -> None:
    readme = (REPO / "README.md").read_text()
    makefile = (REPO / "Makefile").read_text()
    for target in ("demo", "test"):
        assert f"make {target}" in readme
        assert re.search(rf"^{target}:.*## ", makefile, flags=re.M)
