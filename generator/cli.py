"""`causerie` command line: parse options, call the pipeline, show progress. Nothing else."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
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
config_app = typer.Typer(help="Show the settings a run starts from.", no_args_is_help=True)
app.add_typer(config_app, name="config")
err = Console(stderr=True)
out = Console()


@app.callback(invoke_without_command=True)
def _root(version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False):
    if version:
        out.print(f"causerie {__version__}")
        raise typer.Exit()


DOCS_HELP = "Documents or folders: .txt .md .html .pdf .docx, WhatsApp exports. All make one episode."
OUT_HELP = "Folder where the episode folder is written."
MINUTES_HELP = "Spoken length to aim for (150 words/minute). [default: 3]"
MODEL_HELP = "Model name (see `causerie models list`) or path to a .gguf file. [default: best installed]"
SEED_HELP = "Same documents + seed + model = same script. [default: 42]"
HOSTS_HELP = "Two host names, curious one first. [default: Camille,Thomas]"
THREADS_HELP = "CPU threads for the model. [default: all cores]"
REDACT_HELP = "Keep phone numbers and e-mail addresses (removed by default)."
FORCE_HELP = "Redo finished work (script and audio) instead of reusing it."
ENGINE_HELP = "Speech engine (see `causerie voices`). [default: best usable now]"
DEVICE_HELP = "Where neural engines run: auto (GPU when CUDA is there), cpu or cuda."
FORMAT_HELP = "Audio format: mp3 (ID3 tags + chapters), opus, ogg or wav."
MUSIC_HELP = "Audio file played softly under the voices."
PIPELINE_HELP = ("Speak each line as soon as it is written, while the model writes the next; --no-pipeline: "
                 "voices after the whole script. [default: on when the model runs on a GPU or leaves cores free "
                 "(--threads)]")
TTS_THREADS_HELP = "CPU threads of the voice engine. [default: all cores]"

Docs = Annotated[list[Path], typer.Argument(help=DOCS_HELP, show_default=False)]
OutDir = Annotated[Path, typer.Option("-o", "--out", help=OUT_HELP)]
Minutes = Annotated[Optional[float], typer.Option("--minutes", "-m", min=0.5, max=60, help=MINUTES_HELP)]
Model = Annotated[Optional[str], typer.Option("--model", help=MODEL_HELP)]
Seed = Annotated[Optional[int], typer.Option("--seed", help=SEED_HELP)]
Hosts = Annotated[Optional[str], typer.Option("--hosts", help=HOSTS_HELP)]
Threads = Annotated[Optional[int], typer.Option("--threads", min=1, help=THREADS_HELP)]
NoRedact = Annotated[bool, typer.Option("--no-redact", help=REDACT_HELP)]
Force = Annotated[bool, typer.Option("--force", help=FORCE_HELP)]
Engine = Annotated[Optional[str], typer.Option("--engine", help=ENGINE_HELP)]
Device = Annotated[str, typer.Option("--device", help=DEVICE_HELP)]
Format = Annotated[str, typer.Option("--format", help=FORMAT_HELP)]
Music = Annotated[Optional[Path], typer.Option("--music", help=MUSIC_HELP)]
Pipeline = Annotated[Optional[bool], typer.Option("--pipeline/--no-pipeline", help=PIPELINE_HELP, show_default=False)]
TtsThreads = Annotated[Optional[int], typer.Option("--tts-threads", min=1, help=TTS_THREADS_HELP)]


def _script_options(minutes, model, seed, hosts, threads, no_redact, force):
    from .hosts import parse_hosts
    from .pipeline import ScriptOptions

    settings = load_settings().merged(model=model, seed=seed, minutes=minutes, threads=threads,
                                      hosts=tuple(hosts.split(",")) if hosts else None,
                                      redact=False if no_redact else None)
    return ScriptOptions(hosts=parse_hosts(settings.hosts), minutes=settings.minutes, seed=settings.seed,
                         model=settings.model, threads=settings.threads, gpu_layers=settings.gpu_layers,
                         redact=settings.redact, force=force)


def _render_options(engine, device, fmt, music, pipeline=None, tts_threads=None):
    from .episode import RenderOptions

    if fmt not in ("mp3", "opus", "ogg", "wav"):
        raise UserError(f"unknown audio format '{fmt}' (mp3, opus, ogg or wav)")
    return RenderOptions(engine=engine, device=device, fmt=fmt, music=music, pipeline=pipeline,
                         tts_threads=tts_threads)


def _said_script(result) -> None:
    q = result.script.quality
    if result.reused:
        err.print(f"[green]✓[/green] script déjà écrit (mêmes documents, seed et modèle) : {result.folder} "
                  "— --force pour réécrire")
    else:
        err.print(f"[green]✓[/green] {result.folder}/script.md — {len(result.script.turns)} répliques, "
                  f"{q['minutes']} min, {q['turns']['flagged']} à vérifier, "
                  f"copie {q['copied_ratio']:.0%}, répétition {q['repeated_ratio']:.0%}")
    section = (result.report.get("script") or {}).get("coverage")
    if section:
        from .writing.coverage import summary

        err.print(f"  couverture : {escape(summary(section))}")


def _said_render(result) -> None:
    r = result.report["render"]
    if result.reused:
        err.print(f"[green]✓[/green] audio à jour : {result.audio} — --force pour le refaire")
        return
    err.print(f"[green]✓[/green] {result.audio} — {r['episode_seconds'] / 60:.1f} min, "
              f"{result.synthesized} répliques synthétisées, {result.cached} en cache, "
              f"{r['loudness_lufs']} LUFS, sous-titres {', '.join(p.name for p in result.subtitles)}")


def _episode(documents, out_dir, options, render_options):
    from .display import Display
    from .episode import make_episode

    with Display(err) as display:
        result = make_episode(documents, out_dir, options, render_options, progress=display.episode_progress())
    _said_script(result.script)
    if result.render is not None:
        _said_render(result.render)
    if not result.reused:
        report = (result.render or result.script).report
        _said_cost((report.get("production") or report.get("script") or {}).get("cost"),
                   (report.get("production") or {}).get("audio_s"))
    return result


def _said_cost(cost: dict | None, audio_s: float | None) -> None:
    """What the run cost, in the units a listener can weigh: time, watt-hours, grams of CO₂."""
    if not cost:
        return
    wall = cost["wall_s"]
    pace = f" ({wall / audio_s:.1f} × la durée de l'épisode)" if audio_s else ""
    how = "mesurée" if cost["cpu_energy"] == "rapl" or cost["gpu_wh"] is not None else "estimée"
    err.print(f"  coût : {int(wall // 60)} min {int(wall % 60):02d} s{pace}, énergie {how} "
              f"{cost['total_wh']:.1f} Wh, {cost['co2_g']:.2f} g CO₂e (électricité {cost['grid']})", highlight=False)


@app.command()
def script(documents: Docs, out_dir: OutDir = Path("episodes"), minutes: Minutes = None, model: Model = None,
           seed: Seed = None, hosts: Hosts = None, threads: Threads = None, no_redact: NoRedact = False,
           force: Force = False):
    """Write the script of one episode: OUT/<slug>/script.json, script.md and report.json."""
    result = _episode(documents, out_dir, _script_options(minutes, model, seed, hosts, threads, no_redact, force),
                      None)
    typer.echo(result.folder / "script.json")


@app.command()
def render(
    episode: Annotated[Path, typer.Argument(help="Episode folder (or its script.json). Edits in script.md are applied.")],
    engine: Engine = None, device: Device = "auto", fmt: Format = "mp3", music: Music = None, force: Force = False,
):
    """Turn a script into episode.mp3, transcript.vtt and transcript.srt (changed turns only are re-synthesized)."""
    from .display import Display
    from .render import render as render_episode

    options = _render_options(engine, device, fmt, music)
    with Display(err) as display:
        progress = display.episode_progress()
        result = render_episode(episode, engine_name=options.engine, device=options.device, fmt=options.fmt,
                                music=options.music, on_clip=progress.clip, announce=progress.stage, force=force)
    _said_render(result)
    typer.echo(result.audio)


@app.command()
def generate(documents: Docs, out_dir: OutDir = Path("episodes"), minutes: Minutes = None, model: Model = None,
             seed: Seed = None, hosts: Hosts = None, threads: Threads = None, no_redact: NoRedact = False,
             engine: Engine = None, device: Device = "auto", fmt: Format = "mp3", music: Music = None,
             force: Force = False, pipeline: Pipeline = None, tts_threads: TtsThreads = None):
    """Script + render in one go: documents in, a playable episode out."""
    result = _episode(documents, out_dir, _script_options(minutes, model, seed, hosts, threads, no_redact, force),
                      _render_options(engine, device, fmt, music, pipeline, tts_threads))
    typer.echo(result.render.audio)


@app.command()
def batch(
    inputs: Annotated[list[str], typer.Argument(help="Folders, files or quoted globs ('docs/**/*.pdf').",
                                                show_default=False)],
    out_dir: Annotated[Path, typer.Option("-o", "--out", help="Folder of the episodes and batch-report.json.")],
    group: Annotated[bool, typer.Option("--group", help="One episode per folder (or chat export) instead of per document.")] = False,
    script_only: Annotated[bool, typer.Option("--script-only", help="Write the scripts, no audio.")] = False,
    minutes: Minutes = None, model: Model = None, seed: Seed = None, hosts: Hosts = None, threads: Threads = None,
    no_redact: NoRedact = False, engine: Engine = None, device: Device = "auto", fmt: Format = "mp3",
    music: Music = None, force: Force = False, pipeline: Pipeline = None, tts_threads: TtsThreads = None,
    # "\\[" keeps rich's help markup from eating "[ray]".
    ray: Annotated[bool, typer.Option("--ray", help="Spread the documents over a Ray cluster's workers "
                                      "(a local one on this machine unless --address). Needs: pip install 'causerie\\[ray]'.",
                                      rich_help_panel="Cluster")] = False,
    address: Annotated[Optional[str], typer.Option(
        "--address", help="The cluster: 'auto' (the one `ray start` runs on this machine) or ray://HOST:10001. "
        "Default: $RAY_ADDRESS, else a local instance started for this batch.", rich_help_panel="Cluster",
        show_default=False)] = None,
    gpus_per_worker: Annotated[Optional[float], typer.Option(
        "--gpus-per-worker", min=0, help="GPUs of each worker where the cluster has GPUs (default 1; 0: CPU workers).",
        rich_help_panel="Cluster", show_default=False)] = None,
    cpus_per_worker: Annotated[Optional[int], typer.Option(
        "--cpus-per-worker", min=1, help="Cores of each CPU worker, its model's threads (default: --threads, else 4).",
        rich_help_panel="Cluster", show_default=False)] = None,
):
    """One episode per document of folders; a bad document is reported and the batch goes on.

    Run it again to finish an interrupted batch: finished episodes are skipped, started ones resume.
    With --ray the documents are made on a Ray cluster's workers, in the same files under OUT (a folder
    every node sees).
    Exit code: 0 all done, 1 some documents failed, 2 bad arguments."""
    from .batch import BatchProgress, discover, run_batch
    from .display import Display

    if not ray and (address is not None or gpus_per_worker is not None or cpus_per_worker is not None):
        raise UserError("--address, --gpus-per-worker and --cpus-per-worker go with --ray")
    options = _script_options(minutes, model, seed, hosts, threads, no_redact, force)
    render_options = None if script_only else _render_options(engine, device, fmt, music, pipeline, tts_threads)
    workers = None
    if ray:
        from .cluster import RayWorkers

        workers = RayWorkers(address=address, gpus_per_worker=gpus_per_worker,
                             cpus_per_worker=cpus_per_worker or threads, announce=err.print)
    jobs, aside = discover(inputs, group=group)
    err.print(f"{len(jobs)} épisode(s) à faire dans {out_dir}" + (f", {len(aside)} fichier(s) ignoré(s)" if aside else ""))
    with Display(err) as display:
        def done(finished, n, entry):
            display.documents(finished, n)
            if ray:
                display.finished(entry.name)
            mark = {"done": "[green]✓[/green]", "reused": "[green]=[/green]"}.get(entry.status, "[red]✗[/red]")
            what = entry.error if entry.status == "failed" else (
                "déjà fait" if entry.status == "reused" else f"{entry.minutes} min en {entry.seconds:.0f} s")
            err.print(f"{mark} {escape(entry.name)} : {escape(str(what))}", highlight=False)

        result = run_batch(jobs, out_dir, options, render_options, aside=aside, workers=workers, progress=BatchProgress(
            start=lambda started, n, job: display.document(started, n, job.name), done=done,
            episode=display.episode_progress(),
            episode_of=(lambda job: display.episode_progress(job.name)) if ray else None))
    table = Table("document", "statut", "durée", "temps", "détail", title="Causerie batch")
    labels = {"done": "[green]fait[/green]", "reused": "[green]déjà fait[/green]", "failed": "[red]échec[/red]",
              "skipped": "[yellow]ignoré[/yellow]"}
    for e in result.entries:
        table.add_row(escape(e.name), labels[e.status], f"{e.minutes} min" if e.minutes else "—",
                      f"{e.seconds:.0f} s" if e.status in ("done", "failed") else "—",
                      escape(e.error or e.outputs.get("audio", e.outputs.get("script", ""))))
    err.print(table)
    err.print(f"{result.count('done')} fait(s), {result.count('reused')} déjà fait(s), "
              f"{result.count('failed')} échec(s), {result.count('skipped')} ignoré(s) en {result.seconds:.0f} s "
              f"— {result.report}")
    typer.echo(result.report)
    raise typer.Exit(result.exit_code)


@app.command()
def ask(
    episode: Annotated[Path, typer.Argument(help="Episode folder (what `script`, `generate` or `batch` wrote).")],
    question: Annotated[Optional[str], typer.Argument(help="The listener's question, in French.", show_default=False)] = None,
    interactive: Annotated[bool, typer.Option("--interactive", "-i", help="Ask one question after another (empty line to stop).")] = False,
    model: Model = None, threads: Threads = None, engine: Engine = None,
    no_audio: Annotated[bool, typer.Option("--no-audio", help="Write ask-<n>.json/.md only, no ask-<n>.mp3.")] = False,
):
    """The hosts answer a question from the episode's documents: ask-<n>.json, ask-<n>.md and ask-<n>.mp3."""
    from .ask import Asker, episode_engine, episode_model, load_episode
    from .writing.llm import LlamaCppLLM
    from .writing.models import resolve

    if not question and not interactive:
        raise UserError("give a question (in quotes) or --interactive")
    folder, script, _ = load_episode(episode)
    voices = None if no_audio else episode_engine(folder, engine)
    with err.status("Chargement du modèle"):
        name, path = resolve(model or episode_model(script))
        llm = LlamaCppLLM(path, name=name, n_ctx=4096, n_threads=threads)
    asker = Asker(folder, llm, seed=int(script.generation.get("seed", 42)))

    def one(text: str) -> None:
        with err.status("Recherche dans les documents et réponse"):
            answer = asker.answer(text)
            json_path, md_path = asker.save(answer)
        for turn in answer.turns:
            err.print(f"[bold]{escape(turn.speaker)}[/bold] : {escape(turn.text)}")
        if answer.cited:
            err.print("  sources : " + " ; ".join(escape(f"{c['document']}, passage {c['passage']} "
                                                           f"({round(c['position'] * 100)} %)") for c in answer.cited))
        if voices is not None:
            with err.status("Voix"):
                audio = asker.speak(answer, voices)
            typer.echo(audio)
        else:
            typer.echo(md_path)

    if question:
        one(question)
    if interactive:
        while True:
            try:
                text = err.input("Question (ligne vide pour finir) : ").strip()
            except EOFError:
                break
            if not text:
                break
            one(text)


@app.command()
def listen(
    out_dir: Annotated[Path, typer.Argument(help="Folder of episodes (what `batch`, `generate` or `render` wrote).")],
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on (0: any free one).")] = 8000,
    host: Annotated[str, typer.Option("--host", help="Address to listen on; anything but 127.0.0.1 exposes the episodes to the network.")] = "127.0.0.1",
    open_browser: Annotated[bool, typer.Option("--open", help="Open the page in the web browser.")] = False,
):
    """Serve the episodes on a local web page (player, synchronized transcript, chapters, sources) and a podcast feed."""
    from .publish.server import listen_command

    listen_command(out_dir, port=port, host=host, open_browser=open_browser)


@app.command()
def doctor():
    """Check the set-up (ffmpeg, espeak-ng, llama.cpp build, GPU, models, voices, disk) and say how to fix it."""
    from .doctor import doctor_command

    raise typer.Exit(doctor_command(out))


@config_app.command("show")
def config_show():
    """The effective settings and where each comes from (default, causerie.toml, CAUSERIE_* variable)."""
    from .config_show import config_show_command

    raise typer.Exit(config_show_command(out))


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


INTERRUPTED = 130


def main() -> None:
    """Entry point: user errors are one line and exit code 2, never a traceback."""
    try:
        # Without standalone mode click hands back a command's typer.Exit code instead of raising it.
        code = app(standalone_mode=False)
        if code == INTERRUPTED:          # typer turns Ctrl-C inside a command into this code
            raise KeyboardInterrupt
        if isinstance(code, int) and code:
            sys.exit(code)
    except UserError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted: run the same command again to resume (finished turns, clips and episodes are kept)")
        sys.exit(INTERRUPTED)
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
