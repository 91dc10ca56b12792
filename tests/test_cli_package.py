"""Issue 27: the ``lexicon`` command is a distribution of its own (clients/python,
``lexicon-dictionaries-cli``): built from this checkout and installed alone into a fresh virtual
environment (with its real dependencies, from the package index), it holds nothing of the server,
and its console script plans and applies against a live local run."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.local_run import LocalRun, local_run  # noqa: F401 - the fixture
from tests.processes import ROOT

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(600)]
SOURCE = ROOT / "clients" / "python"
SERVER_ONLY = ("django", "rest_framework", "celery", "psycopg", "pronunciations", "orgs", "sync")


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=500,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _uv() -> str | None:
    """uv as .ci/common.sh finds it (on PATH, or in the user's cache folder), if it is here."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    found = shutil.which("uv") or cache / "lexicon-uv" / "bin" / "uv"
    return str(found) if Path(found).is_file() else None


def _install_alone(directory: Path) -> Path:
    """Build the wheel from a copy of the source (the checkout stays as it is) and install it
    into a new virtual environment; answers that environment's bin directory. With uv, as
    .ci/common.sh installs, from its cache (seconds); with pip otherwise (minutes)."""
    source = directory / "source"
    shutil.copytree(
        SOURCE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__")
    )
    dist, venv, uv = directory / "dist", directory / "venv", _uv()
    if uv:
        _run(uv, "build", "--quiet", "--wheel", "--out-dir", dist, source, cwd=directory)
    else:
        _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", dist, source, cwd=directory)
    (wheel,) = dist.glob("lexicon_dictionaries_cli-*.whl")
    bin_dir = venv / "bin"
    if uv:
        _run(uv, "venv", "--quiet", "--seed", "--python", sys.executable, venv, cwd=directory)
        _run(uv, "pip", "install", "--quiet", "--python", bin_dir / "python", wheel, cwd=directory)
    else:
        _run(sys.executable, "-m", "venv", venv, cwd=directory)
        _run(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel, cwd=directory)
    return bin_dir


def test_the_client_installs_alone_and_applies_against_a_live_server(
    local_run: LocalRun,  # noqa: F811
    tmp_path: Path,
) -> None:
    bin_dir = _install_alone(tmp_path)
    probe = "import importlib.util as u, sys; print([m for m in sys.argv[1:] if u.find_spec(m)])"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env = {k: v for k, v in env.items() if not k.startswith("LEXICON_")}

    found = _run(bin_dir / "python", "-c", probe, *SERVER_ONLY, cwd=tmp_path, env=env)
    requirements = _run(bin_dir / "python", "-m", "pip", "list", "--format=freeze", cwd=tmp_path)

    assert found.strip() == "[]"
    assert "lexicon-dictionaries-cli==" in requirements.replace("_", "-")
    assert "httpx==" in requirements
    brands = tmp_path / "brands.csv"
    brands.write_text("dictionary,mode,match,replace\npackage-brands,rewrite,QP,cue pee\n")
    env |= {"LEXICON_URL": local_run.url, "LEXICON_API_KEY": local_run.key}
    lexicon = bin_dir / "lexicon"

    plan = subprocess.run(
        [lexicon, "plan", "--detailed-exitcode", brands], env=env, capture_output=True, text=True
    )
    applied = _run(lexicon, "apply", "--auto-approve", brands, cwd=tmp_path, env=env)
    status = _run(lexicon, "status", "package-brands", cwd=tmp_path, env=env)

    assert plan.returncode == 2, plan.stderr
    assert "package-brands: create" in plan.stdout
    assert "package-brands: revision 1 live" in applied
    assert status.splitlines()[1].split()[:4] == ["package-brands", "1", "auto", "-"]
