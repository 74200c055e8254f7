"""Countries named in a sentence that take no part in its event: a weapon's maker, a base's host.

The sentences are the seeds' (VOA, 2019 and 2025, and the seed article) that fed false
Russia-Turkey and Cuba-US signals, and ConfliBERT's own reading of the S-400 sanctions; the
controls keep a weapon that acts, goods under tariffs and a base with no foreign owner.
"""

from datetime import date

import pytest
from newsmon.nlp.actors import ActorResolver
from newsmon.nlp.non_parties import non_party_mentions


@pytest.fixture(scope="module")
def resolver() -> ActorResolver:
    return ActorResolver.default()


def left_out(resolver: ActorResolver, sentence: str) -> list[str]:
    mentions = resolver.resolve(sentence, date(2025, 3, 1))
    return [m.code for m in non_party_mentions(mentions, sentence)]


@pytest.mark.parametrize(
    ("sentence", "codes"),
    [
        (
            "The US Trump administration has imposed sanctions on its NATO ally Turkey for "
            "acquiring the Russian S-400 missile defense system.",
            ["RUS"],
        ),
        (
            "The measures are in response to Ankara's purchase of Russia's S-400 missile system, "
            "which is deemed to violate Congress's Countering America's Adversaries Through "
            "Sanctions Act.",
            ["RUS"],
        ),
        ("Ankara is warning it could turn to Russia's SU 35 as an alternative.", ["RUS"]),
        (
            "Turkey and the United States are seemingly closer to a collision course as Turkish "
            "media report Ankara testing a Russian anti-aircraft weapon system.",
            ["RUS"],
        ),
        (
            "The much-celebrated Russian-built air-defence systems supposed to protect Maduro "
            "were useless when the US invaded.",
            ["RUS"],
        ),
        ("The Kremlin has used Iranian Shahed drones extensively in Ukraine.", ["IRN"]),
        (
            "The United States has cleared out the last migrants being held at its naval base "
            "at Guantanamo Bay, Cuba, sending them back to the U.S. mainland.",
            ["CUB"],
        ),
        (
            "U.S. government lawyers are expected to face off with attorneys over the use of a "
            "U.S. naval base in Cuba to hold migrants.",
            ["CUB"],
        ),
        ("Russia's air and naval bases in Syria are at risk.", ["SYR"]),
        ("ISIL launched an attack on the Iraqi embassy in Kabul.", ["AFG"]),
        # a weapon that acts is its country's military; goods under tariffs are their country
        ("On Tuesday, Russian jets bombed rebel positions in Syria.", []),
        ("The U.S. rolled back tariffs on Chinese goods.", []),
        # a base with no foreign owner is where the attack landed: the CAMEO target
        ("Yemeni forces launched a missile attack against a military base in Saudi Arabia.", []),
        ("Syria's bases in Syria were hit.", []),
    ],
)
def test_makers_and_hosts_take_no_part(
    resolver: ActorResolver, sentence: str, codes: list[str]
) -> None:
    assert left_out(resolver, sentence) == codes
