"""`causerie` command line: parse options, call the pipeline, show progress. Nothing else."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__
from .config import load_settings, models_dir
from .errors import UserError

app = typer.Typer(
    name="causerie",
    help="Causerie: French two-host podcast explainers from your documents, made on your machine.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
models_app = typer.Typer(help="List, pull (download) or remove language and voice models.", no_args_is_help=True)
app.add_typer(models_app, name="models")
err = Console(stderr=True)
out = Console()


@app.callback(invoke_without_command=True)
def _root(version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False):
    if version:
        out.print(f"causerie {__version__}")
        raise typer.Exit()


@app.command()
def script(
    documents: Annotated[list[Path], typer.Argument(
        help="Documents or folders: .txt .md .html .pdf .docx, WhatsApp exports. All make one episode.",
        show_default=False)],
    out_dir: Annotated[Path, typer.Option("-o", "--out", help="Folder where the episode folder is written.")] = Path("episodes"),
    minutes: Annotated[Optional[float], typer.Option("--minutes", "-m", min=0.5, max=60,
                                                     help="Spoken length to aim for (150 words/minute). [default: 3]")] = None,
    model: Annotated[Optional[str], typer.Option("--model", help="Model name (see `causerie models list`) or path to a .gguf file. [default: best installed]")] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Same documents + seed + model = same script. [default: 42]")] = None,
    hosts: Annotated[Optional[str], typer.Option("--hosts", help="Two host names, curious one first. [default: Camille,Thomas]")] = None,
    threads: Annotated[Optional[int], typer.Option("--threads", min=1, help="CPU threads for the model. [default: all cores]")] = None,
    no_redact: Annotated[bool, typer.Option("--no-redact", help="Keep phone numbers and e-mail addresses (off by default).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Rewrite the script even if a finished one matches.")] = False,
):
    """Write the script of one episode: OUT/<slug>/script.json, script.md and report.json."""
    folder = _script(documents, out_dir, minutes, model, seed, hosts, threads, no_redact, force)
    typer.echo(folder / "script.json")


def _script(documents, out_dir, minutes, model, seed, hosts, threads, no_redact, force) -> Path:
    from .hosts import parse_hosts
    from .pipeline import Progress, ScriptOptions, run_script

    settings = load_settings().merged(model=model, seed=seed, minutes=minutes, threads=threads,
                                      hosts=tuple(hosts.split(",")) if hosts else None)
    options = ScriptOptions(hosts=parse_hosts(settings.hosts), minutes=settings.minutes, seed=settings.seed,
                            model=settings.model, threads=settings.threads, gpu_layers=settings.gpu_layers,
                            redact=not no_redact, force=force)
    with Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
             console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("Répliques", total=None, visible=False)

        def stage(message: str) -> None:
            err.print(f"[dim]•[/dim] {message}")

        def turn(i: int, n: int, done) -> None:
            bar.update(task, total=n, completed=i + 1, visible=True,
                       description=f"Répliques ({done.speaker})" if done else "Répliques")

        result = run_script(documents, out_dir, options, Progress(stage=stage, turn=turn))
    q = result.script.quality
    if result.reused:
        err.print(f"[green]✓[/green] déjà écrit (mêmes documents, seed et modèle) : {result.folder} — --force pour réécrire")
    else:
        err.print(f"[green]✓[/green] {result.folder}/script.md — {len(result.script.turns)} répliques, "
                  f"{q['minutes']} min, {q['turns']['flagged']} à vérifier, "
                  f"copie {q['copied_ratio']:.0%}, répétition {q['repeated_ratio']:.0%}")
    return result.folder


def _render(target: Path, engine: Optional[str], device: str, fmt: str, music: Optional[Path]):
    from .render import render

    with Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
             console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("Voix", total=None)

        def on_clip(i: int, n: int, cached: bool) -> None:
            bar.update(task, total=n, completed=i + 1)

        result = render(target, engine_name=engine, device=device, fmt=fmt, music=music, on_clip=on_clip,
                        announce=lambda m: err.print(f"[dim]•[/dim] {m}"))
    r = result.report["render"]
    err.print(f"[green]✓[/green] {result.audio} — {r['episode_seconds'] / 60:.1f} min, "
              f"{result.synthesized} répliques synthétisées, {result.cached} en cache, "
              f"{r['loudness_lufs']} LUFS, sous-titres {', '.join(p.name for p in result.subtitles)}")
    typer.echo(result.audio)


ENGINE_HELP = "Speech engine (see `causerie voices`). [default: best usable now]"
DEVICE_HELP = "Where neural engines run: auto (GPU when CUDA is there), cpu or cuda."
FORMAT_HELP = "Audio format: mp3 (ID3 tags + chapters), opus, ogg or wav."


@app.command()
def render(
    episode: Annotated[Path, typer.Argument(help="Episode folder (or its script.json). Edits in script.md are applied.")],
    engine: Annotated[Optional[str], typer.Option("--engine", help=ENGINE_HELP)] = None,
    device: Annotated[str, typer.Option("--device", help=DEVICE_HELP)] = "auto",
    fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "mp3",
    music: Annotated[Optional[Path], typer.Option("--music", help="Audio file played softly under the voices.")] = None,
):
    """Turn a script into episode.mp3, transcript.vtt and transcript.srt (changed turns only are re-synthesized)."""
    _render(episode, engine, device, fmt, music)


@app.command()
def generate(
    documents: Annotated[list[Path], typer.Argument(help="Documents or folders, as for `script`.", show_default=False)],
    out_dir: Annotated[Path, typer.Option("-o", "--out", help="Folder where the episode folder is written.")] = Path("episodes"),
    minutes: Annotated[Optional[float], typer.Option("--minutes", "-m", min=0.5, max=60, help="Spoken length to aim for. [default: 3]")] = None,
    model: Annotated[Optional[str], typer.Option("--model", help="Model name or .gguf path.")] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Same inputs + seed = same script.")] = None,
    hosts: Annotated[Optional[str], typer.Option("--hosts", help="Two host names, curious one first.")] = None,
    engine: Annotated[Optional[str], typer.Option("--engine", help=ENGINE_HELP)] = None,
    device: Annotated[str, typer.Option("--device", help=DEVICE_HELP)] = "auto",
    fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "mp3",
    music: Annotated[Optional[Path], typer.Option("--music", help="Audio file played softly under the voices.")] = None,
):
    """Script + render in one go: documents in, a playable episode out."""
    folder = _script(documents, out_dir, minutes, model, seed, hosts, None, False, False)
    _render(folder, engine, device, fmt, music)


@app.command()
def voices(
    preview: Annotated[Optional[str], typer.Option("--preview", help="Write a short French sample with this voice id (e.g. fr+f3).")] = None,
    engine: Annotated[Optional[str], typer.Option("--engine", help="Engine of the previewed voice. [default: best usable now]")] = None,
    output: Annotated[Path, typer.Option("-o", "--out", help="Where --preview writes its WAV.")] = Path("voice-preview.wav"),
):
    """List the voices of every engine and whether they are usable now (offline)."""
    from .speech import engine as engines
    from .speech.engine import Voice

    if preview:
        chosen = engines.get(engine) if engine else engines.best_available()
        audio = chosen.synthesize("Bonjour ! Voici un court extrait en français, avec 3 chiffres : 1, 2 et 3.",
                                  Voice(chosen.name, preview))
        audio.write_wav(output)
        err.print(f"[green]✓[/green] {chosen.name}/{preview}: {audio.duration:.1f} s")
        typer.echo(output)
        return
    table = Table("engine", "voice", "usable now", "notes")
    for name in engines.names():
        eng = engines.get(name)
        ok, why = eng.available()
        for v in (eng.voices() if ok else []) or [None]:
            table.add_row(name, v.id if v else "—", "[green]yes[/green]" if ok else "[yellow]no[/yellow]",
                          (v.description if v else "") or ("" if ok else why))
    out.print(table)


@models_app.command("list")
def models_list():
    """Show every known model, whether it is usable offline now, its size and licence."""
    from .writing.models import HUB_SOURCES, REGISTRY, locate

    table = Table()
    for column in ("name", "kind", "status", "size"):       # what scripts grep for is never wrapped
        table.add_column(column, no_wrap=True)
    table.add_column("licence")
    table.add_column("what it is")
    for spec in REGISTRY.values():
        try:
            path = locate(spec)
        except UserError:
            path = None
        if path:
            status = "[green]ready[/green]"
        elif isinstance(spec.source, HUB_SOURCES):
            status = "[yellow]pull[/yellow]"
        else:
            status = "[red]missing[/red]"
        table.add_row(spec.name, "script" if spec.kind == "llm" else "voice", status, f"{spec.size_mb / 1000:.1f} GB", spec.licence, spec.summary)
    out.print(table)
    out.print(f"Models folder: {models_dir()}  (CAUSERIE_HOME moves it). A path to any .gguf also works with --model, a Coqui model folder with --engine.")


@models_app.command("pull")
def models_pull(name: Annotated[str, typer.Argument(help="Registry name, e.g. qwen2.5-7b.")]):
    """Download a hub model (the only command that uses the network), or assemble an embedded one."""
    from .writing.models import REGISTRY, HubFile, HubFolder, pull

    spec = REGISTRY.get(name)
    if spec is not None and isinstance(spec.source, (HubFile, HubFolder)):
        what = (spec.source.filename if isinstance(spec.source, HubFile)
                else "{" + ", ".join(spec.source.filenames) + "}")
        err.print(f"Downloading {spec.source.repo_id}/{what} ({spec.size_mb} MB, licence {spec.licence})")
        if spec.notice:
            err.print(f"[yellow]Licence:[/yellow] {spec.notice}")
    path = pull(name)
    err.print(f"[green]✓[/green] {name} ready")
    typer.echo(path)


@models_app.command("remove")
def models_remove(name: Annotated[str, typer.Argument(help="Registry name.")]):
    """Delete a pulled or assembled model from the models folder."""
    from .writing.models import remove

    err.print(f"{'removed' if remove(name) else 'nothing to remove for'} {name}")


def main() -> None:
    """Entry point: user errors are one line and exit code 2, never a traceback."""
    try:
        app(standalone_mode=False)
    except UserError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted: finished turns are lost only if the script was not saved; run again to resume")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(1)
    except Exception as exc:  # click usage errors and real bugs
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(2)
        if os.environ.get("CAUSERIE_DEBUG"):
            raise
        err.print(f"[red]internal error:[/red] {type(exc).__name__}: {escape(str(exc))} "
                  "(set CAUSERIE_DEBUG=1 for the traceback and report it)", highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
