"""`causerie listen`: the episodes of an output folder on a local web page, and their podcast feed.

A Starlette app served by uvicorn. Everything comes from OUTDIR and the
package (no CDN): the page and its assets from `static/`, the episodes' files
from `/files/<episode>/<file>`, which serves nothing outside OUTDIR. Audio
answers Range requests (Starlette's FileResponse), so seeking works in
browsers and podcast apps. OUTDIR is scanned on each request: a new episode
appears on reload.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import UserError
from .catalog import episode_record
from .cover import resolve_cover
from .episodes import AUDIO_TYPES, find_episodes
from .feed import FeedSettings, build_feed, feed_settings

STATIC = Path(__file__).with_name("static")

# Types the browser and podcast apps need to be told; others are guessed from the extension.
FILE_TYPES = {
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".json": "application/json",
    **{f".{ext}": mime for ext, mime in AUDIO_TYPES.items()},
}

__all__ = ["make_app", "serve", "listen_command", "resolve_file", "start_lines", "is_loopback"]


def resolve_file(outdir: Path, relative: str) -> Path:
    """The file under `outdir` that `relative` names, or an HTTPException (404 unknown, 403 outside).

    `..`, empty or hidden parts and absolute paths are refused before the disk
    is touched; a symlink is followed only if where it leads is still under OUTDIR.
    """
    parts = relative.split("/")
    if (not relative or relative.startswith("/") or "\\" in relative or "\x00" in relative
            or any(p in ("", ".", "..") or p.startswith(".") for p in parts)):
        raise HTTPException(404)
    root = outdir.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        raise HTTPException(403)
    if not target.is_file():
        raise HTTPException(404)
    return target


def make_app(outdir: Path, settings: FeedSettings | None = None) -> Starlette:
    """The listening app for `outdir`; `settings` default to causerie.toml's [feed] table."""
    outdir = Path(outdir)
    if not outdir.is_dir():
        raise UserError(f"{outdir}: no such folder — give the folder `causerie render` wrote episodes into")
    if settings is None:
        from ..config import load_settings
        settings = feed_settings(load_settings().extra.get("feed"))
    cover = resolve_cover(settings.cover)

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    async def episodes(request: Request) -> Response:
        return JSONResponse([episode_record(e) for e in find_episodes(outdir)],
                            headers={"Cache-Control": "no-store"})

    async def feed(request: Request) -> Response:
        xml = build_feed(outdir, str(request.base_url), settings, cover_filename=cover.filename)
        return Response(xml, media_type="application/rss+xml; charset=utf-8")

    async def cover_image(request: Request) -> Response:
        return Response(cover.data, media_type=cover.mime, headers={"Cache-Control": "max-age=3600"})

    async def files(request: Request) -> Response:
        path = resolve_file(outdir, request.path_params["path"])
        return FileResponse(path, media_type=FILE_TYPES.get(path.suffix.lower()))

    return Starlette(routes=[
        Route("/", index),
        Route("/api/episodes", episodes),
        Route("/feed.xml", feed),
        Route(f"/{cover.filename}", cover_image),
        Route("/files/{path:path}", files),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ])


def is_loopback(host: str) -> bool:
    """True when `host` only answers this machine (127.0.0.0/8, ::1, or a name resolving only there)."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback for i in infos)


def _url(host: str, port: int) -> str:
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def start_lines(host: str, port: int) -> list[str]:
    """What `serve` says on start: the page and feed URLs, and a warning when the network can see them."""
    url = _url(host, port)
    lines = [f"Écoute : {url}  (flux du podcast : {url}feed.xml) — Ctrl+C pour arrêter"]
    if not is_loopback(host):
        lines.append(f"Attention : --host {host} rend les épisodes visibles depuis le réseau, "
                     f"par toute machine qui joint celle-ci sur le port {port}.")
    return lines


def _bind(host: str, port: int) -> socket.socket:
    # Bound here rather than by uvicorn: a busy port becomes one clear line, and port 0 gets a free one.
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host or "0.0.0.0", port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
                        f"choose another with --port or --host") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(outdir: Path, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
          announce: Callable[[str], None] = print) -> None:
    """Serve `outdir` until Ctrl+C."""
    import uvicorn

    app = make_app(outdir)
    sock = _bind(host, port)
    port = sock.getsockname()[1]
    for line in start_lines(host, port):
        announce(line)
    # A browser holding an audio stream open must not keep Ctrl+C waiting.
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                                           timeout_graceful_shutdown=1))
    if open_browser:
        def _open() -> None:
            while not server.started and not server.should_exit:
                time.sleep(0.05)
            if server.started:
                webbrowser.open(_url(host, port))
        threading.Thread(target=_open, daemon=True).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass    # uvicorn re-raises Ctrl+C once it has shut down: stopping is what the user asked for


def listen_command(out_dir: Path, port: int = 8000, host: str = "127.0.0.1", open_browser: bool = False) -> None:
    """Listen to the episodes of OUTDIR in the browser; its feed.xml lets a podcast app subscribe."""
    serve(out_dir, host=host, port=port, open_browser=open_browser)
