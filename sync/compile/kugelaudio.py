"""KugelAudio: IPA between slashes inline, ``Willkommen bei /ˈkuːɡl̩/ Audio.`` (KugelAudio's
"Pronunciation & IPA"); real IPA characters, no SSML."""

from sync.compile.markups import Markup


def wrap(match: str, ipa: str) -> str:
    return f"/{ipa}/"


KUGELAUDIO = Markup(name="slashes", vendor="KugelAudio", wrap=wrap, languages=())
