"""`parley models`"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from parley.engines.model_files import package_dir
from parley.engines.registry import MODEL_ALIASES, STT_MODELS, ModelSpec, VoiceSpec, tts_voices
from parley.errors import ModelUnavailable


def models(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List the installed speech-to-text models, voices and languages."""
    if as_json:
        listing = {
            "models": [_model(spec) for spec in STT_MODELS.values()],
            "voices": [_voice(spec) for spec in tts_voices().values()],
        }
        print(json.dumps(listing, indent=2))
        return
    print("Speech-to-text models:")
    for spec in STT_MODELS.values():
        aliases = _aliases(spec)
        named = f" (alias: {', '.join(aliases)})" if aliases else ""
        print(f"  {spec.name}{named}: {spec.description}")
        print(f"    languages: {' '.join(sorted(spec.languages))}")
    print("Voices:")
    for voice in tts_voices().values():
        details = f"{voice.language}, {voice.gender}, {voice.sample_rate} Hz"
        print(f"  {voice.name}: {details}, {voice.description}")


def _aliases(spec: ModelSpec) -> list[str]:
    return sorted(alias for alias, name in MODEL_ALIASES.items() if name == spec.name)


def _model(spec: ModelSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "aliases": _aliases(spec),
        "description": spec.description,
        "translates": spec.multilingual,
        "languages": sorted(spec.languages),
    }


def _voice(spec: VoiceSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "language": spec.language,
        "gender": spec.gender,
        "sample_rate": spec.sample_rate,
        "installed": _installed(spec.package),
        "description": spec.description,
    }


def _installed(package: str) -> bool:
    try:
        package_dir(package)
    except ModelUnavailable:
        return False
    return True
