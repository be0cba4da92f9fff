import hashlib
import importlib
import sys
import types
from pathlib import Path

import pytest

from generator.errors import ModelError
from generator.writing import models
from generator.writing.models import HubFile, ModelSpec, PackagedParts


def _install_fake_parts(tmp_path, monkeypatch, chunks: list[bytes], prefix="fakeparts_pkg"):
    """Make importable packages `prefix1..N` exposing get_part_path(), like the registry ones."""
    for i, chunk in enumerate(chunks, start=1):
        pkg = tmp_path / "site" / f"{prefix}{i}"
        pkg.mkdir(parents=True)
        (pkg / "data.bin").write_bytes(chunk)
        (pkg / "__init__.py").write_text(
            "import os\ndef get_part_path():\n    return os.path.join(os.path.dirname(__file__), 'data.bin')\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    importlib.invalidate_caches()
    return PackagedParts(prefix + "{}", len(chunks), prefix + "{}==1")


def test_parts_are_concatenated_in_order_and_verified(tmp_path, monkeypatch):
    chunks = [b"GGUF" + b"a" * 1000, b"b" * 2000, b"c" * 10]
    source = _install_fake_parts(tmp_path, monkeypatch, chunks)
    whole = b"".join(chunks)
    spec = ModelSpec("fake-parted", "test", source, 1, "MIT", sha256=hashlib.sha256(whole).hexdigest())
    path = models.assemble(spec)
    assert path.read_bytes() == whole
    assert path.parent.parent == models.models_dir()
    # Second call reuses the file rather than re-assembling.
    mtime = path.stat().st_mtime_ns
    assert models.assemble(spec) == path and path.stat().st_mtime_ns == mtime


def test_sha_mismatch_leaves_no_file(tmp_path, monkeypatch):
    source = _install_fake_parts(tmp_path, monkeypatch, [b"x" * 10, b"y" * 10], prefix="badparts_pkg")
    spec = ModelSpec("fake-bad", "test", source, 1, "MIT", sha256="0" * 64)
    with pytest.raises(ModelError, match="sha256 mismatch"):
        models.assemble(spec)
    assert not spec.local_path.exists()
    assert not list(spec.local_path.parent.glob("*.part"))


def test_missing_parts_say_how_to_install():
    spec = ModelSpec("absent", "test", PackagedParts("no_such_pkg_{}", 2, "no-such-pkg-{}==1"), 1, "MIT")
    with pytest.raises(ModelError, match="pip install"):
        models.assemble(spec)
    assert models.locate(spec) is None


def test_resolve_explicit_path_and_errors(tmp_path):
    gguf = tmp_path / "mine.gguf"
    gguf.write_bytes(b"GGUF")
    assert models.resolve(str(gguf)) == ("mine", gguf)
    other = tmp_path / "notes.txt"
    other.write_text("x")
    with pytest.raises(ModelError, match="not a .gguf"):
        models.resolve(str(other))
    with pytest.raises(ModelError, match="unknown model"):
        models.resolve("no-such-model")


def test_hub_model_not_pulled_is_never_downloaded_by_resolve():
    with pytest.raises(ModelError, match="causerie models pull qwen2.5-7b"):
        models.resolve("qwen2.5-7b")


def test_best_on_disk_prefers_pulled_hub_model():
    spec = models.REGISTRY["qwen2.5-7b"]
    spec.local_path.parent.mkdir(parents=True)
    spec.local_path.write_bytes(b"GGUF")
    assert models.resolve(None) == ("qwen2.5-7b", spec.local_path)


def test_pull_goes_through_the_downloader_and_verifies(tmp_path):
    payload = b"GGUF fake weights"
    spec = models.register(ModelSpec("fake-hub", "t", HubFile("org/repo", "sub/w.gguf"), 1, "MIT",
                                     sha256=hashlib.sha256(payload).hexdigest()))
    seen = {}

    def downloader(repo_id, filename, revision, local_dir):
        seen.update(repo_id=repo_id, filename=filename, revision=revision)
        target = Path(local_dir) / filename   # as huggingface-hub does: subfolders kept
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(payload)
        return str(target)

    try:
        path = models.pull("fake-hub", downloader=downloader)
        assert path == spec.local_path and path.read_bytes() == payload
        assert seen == {"repo_id": "org/repo", "filename": "sub/w.gguf", "revision": "main"}
        models.remove("fake-hub")
        assert not path.exists()
    finally:
        models.REGISTRY.pop("fake-hub")


def test_pull_rejects_a_corrupt_download():
    models.register(ModelSpec("fake-hub2", "t", HubFile("org/repo", "w.gguf"), 1, "MIT", sha256="1" * 64))

    def downloader(repo_id, filename, revision, local_dir):
        target = Path(local_dir) / filename
        target.write_bytes(b"corrupt")
        return str(target)

    try:
        with pytest.raises(ModelError, match="sha256 mismatch"):
            models.pull("fake-hub2", downloader=downloader)
        assert not models.REGISTRY["fake-hub2"].local_path.exists()
    finally:
        models.REGISTRY.pop("fake-hub2")


def test_real_hub_client_fails_cleanly_offline():
    """The real huggingface-hub code path, stopped at the network boundary by HF_HUB_OFFLINE=1."""
    with pytest.raises(ModelError, match="could not download"):
        models.pull("qwen2.5-7b")


def test_registry_names_the_required_models():
    assert models.REGISTRY[models.EMBEDDED_DEFAULT].sha256.startswith("cc324af0")
    hub_llms = [s for s in models.REGISTRY.values() if isinstance(s.source, HubFile) and s.quality > 0]
    assert hub_llms and all(s.size_mb > 4000 and s.licence for s in hub_llms)
    assert models.REGISTRY["kokoro"].quality == 0, "a voice must never be picked as the language model"


def test_embedded_model_parts_assemble_to_the_pinned_hash():
    """The real 22 registry packages, when installed, give the sha256 we pin (1.1 GB copied)."""
    spec = models.REGISTRY[models.EMBEDDED_DEFAULT]
    if spec.source.part_paths() is None:
        pytest.skip("embedded model packages not installed")
    path = models.assemble(spec)
    assert path.stat().st_size > 1_000_000_000
    with open(path, "rb") as fh:
        assert fh.read(4) == b"GGUF"
    path.unlink()  # 1.1 GB: do not leave it in pytest's temp dirs


def test_a_voice_folder_is_pulled_file_by_file_and_resumes(tmp_path):
    """XTTS-v2 style: several files of one repo into one folder; a failure mid-way keeps what came."""
    spec = models.register(ModelSpec("fake-voice", "t", models.HubFolder("org/voice", ("config.json", "model.pth")),
                                     1, "CPML", kind="voice", notice="non-commercial"))
    calls = []

    def flaky(repo_id, filename, revision, local_dir):
        calls.append(filename)
        if filename == "model.pth" and calls.count("model.pth") == 1:
            raise ConnectionError("connection reset")
        target = Path(local_dir) / filename
        target.write_bytes(filename.encode())
        return str(target)

    try:
        with pytest.raises(ModelError, match="could not download org/voice/model.pth: ConnectionError"):
            models.pull("fake-voice", downloader=flaky)
        assert models.locate(spec) is None                      # half a folder is not a model
        folder = models.pull("fake-voice", downloader=flaky)
        assert calls == ["config.json", "model.pth", "model.pth"]   # config.json not fetched twice
        assert folder == spec.local_path and models.locate(spec) == folder
        assert (folder / "model.pth").read_bytes() == b"model.pth"
        with pytest.raises(ModelError, match="voice model for the speech stage"):
            models.resolve("fake-voice")
        assert models.remove("fake-voice") and not folder.exists()
    finally:
        models.REGISTRY.pop("fake-voice")


def test_xtts_v2_is_registered_as_a_non_commercial_voice():
    spec = models.REGISTRY["xtts-v2"]
    assert spec.kind == "voice" and spec.source.repo_id == "coqui/XTTS-v2"
    assert {"config.json", "model.pth", "vocab.json", "speakers_xtts.pth"} <= set(spec.source.filenames)
    assert "non-commercial" in spec.notice and "CPML" in spec.licence


def test_models_pull_cli_states_the_licence_before_downloading():
    import os
    import subprocess

    run = subprocess.run([sys.executable, "-m", "generator.cli", "models", "pull", "xtts-v2"],
                         capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1],
                         env={**os.environ, "COLUMNS": "200"}, timeout=120)
    assert run.returncode == 2                                   # offline in tests: one clear line
    assert "non-commercial" in run.stderr and "could not download coqui/XTTS-v2/config.json" in run.stderr
    assert "Traceback" not in run.stderr
