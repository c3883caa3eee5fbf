"""The local SIP stack: Kamailio (registrar and proxy) and baresip endpoints on 127.0.0.1, each on free ports in a
folder of its own, started and stopped by their process ids. The test suite uses it for real calls; an operator can
use it to try the SIP adapter on one machine (docs/operator-guide.md, "The local SIP stack").

* :func:`start_proxy` — Kamailio with an in-memory location table: endpoints REGISTER, calls are routed by
  ``lookup("location")``; an unknown number gets ``404 Not Found`` (空号).
* :func:`start_phone` — a baresip endpoint registered as ``user`` with its control interface (``ctrl_tcp``,
  netstring-framed JSON) on 127.0.0.1; ``answer=True`` answers every call (the borrower simulator); ``play`` is the
  WAV file (8 kHz mono) it sends as its voice; ``record_dir`` keeps the call's audio (module ``sndfile``).
* :func:`speech_wav` — a spoken sentence as an 8 kHz WAV file (espeak-ng, sox); :func:`announcements` — the
  recording notice and the abandoned-call message, as such files.

The packages come from the OS (``make sip`` installs them); nothing is downloaded.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

KAMAILIO_MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules/"
BARESIP_MODULES = "/usr/lib/baresip/modules"
PROGRAMS = ("kamailio", "baresip", "espeak-ng", "sox")

KAMAILIO_CFG = """#!KAMAILIO
debug=1
log_stderror=yes
children=1
disable_tcp=yes
listen=udp:127.0.0.1:{port}
mpath="{modules}"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
modparam("usrloc", "db_mode", 0)
request_route {{
    if (!mf_process_maxfwd_header("10")) {{ sl_send_reply("483", "Too Many Hops"); exit; }}
    if (has_totag()) {{
        if (loose_route()) {{ t_relay(); exit; }}
        if (is_method("ACK")) {{ if (t_check_trans()) {{ t_relay(); }} exit; }}
        sl_send_reply("404", "Not here"); exit;
    }}
    if (is_method("CANCEL")) {{ if (t_check_trans()) {{ t_relay(); }} exit; }}
    if (is_method("REGISTER")) {{ save("location"); exit; }}
    if (is_method("INVITE")) {{ record_route(); }}
    if (!lookup("location")) {{ sl_send_reply("404", "Not Found"); exit; }}
    t_relay();
}}
"""

BARESIP_CFG = """sip_listen 127.0.0.1:{sip_port}
module_path {modules}
module g711.so
module aufile.so
module aubridge.so
{sndfile}module_app account.so
module_app menu.so
module_app ctrl_tcp.so
ctrl_tcp_listen 127.0.0.1:{ctrl_port}
audio_player aubridge,{name}
audio_source aufile,{play}
audio_alert aubridge,{name}
{snd_path}"""


def missing_programs() -> list[str]:
    return [p for p in PROGRAMS if shutil.which(p) is None and not Path("/usr/sbin", p).exists()]


PORTS = range(20000, 32000)   # below the kernel's ephemeral range, where outgoing connections take their ports
ATTEMPTS = 5


def free_port() -> int:
    """A port on 127.0.0.1 free for both TCP and UDP just now (baresip's ``sip_listen`` binds both)."""
    rng = random.Random()
    for _ in range(200):
        port = rng.choice(PORTS)
        try:
            for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                with socket.socket(socket.AF_INET, kind) as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return port
    raise RuntimeError(f"no free port on 127.0.0.1 between {PORTS.start} and {PORTS.stop}")


def _port_taken(log: str) -> bool:
    """Another process took a port between the check and the bind: worth starting again on new ports."""
    return "Address already in use" in log or "could not bind" in log.lower()


class PortTaken(RuntimeError):
    """A process could not bind the port it was given."""


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    folder: Path

    def stop(self) -> None:
        """Stop the process and its children (its own process group), by id."""
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
                self.popen.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.popen.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.popen.wait(timeout=5)

    def log(self) -> str:
        path = self.folder / "log"
        return path.read_text(errors="replace") if path.exists() else ""


def _spawn(name: str, args: list[str], folder: Path) -> Process:
    log = open(folder / "log", "wb")
    popen = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=folder,
                             start_new_session=True)
    log.close()
    return Process(name, popen, folder)


def start_proxy(folder: Path, port: int | None = None) -> tuple[Process, int]:
    """Kamailio on 127.0.0.1:``port`` (UDP); returns the process and the port once it listens."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _start_proxy(folder, port or free_port())
        except PortTaken:
            if port or attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _start_proxy(folder: Path, port: int) -> tuple[Process, int]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kamailio.cfg").write_text(KAMAILIO_CFG.format(port=port, modules=KAMAILIO_MODULES))
    binary = shutil.which("kamailio") or "/usr/sbin/kamailio"
    proc = _spawn("kamailio", [binary, "-f", str(folder / "kamailio.cfg"), "-DD", "-E", "-m", "32", "-M", "4",
                               "-Y", str(folder), "-P", str(folder / "kamailio.pid")], folder)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            error = PortTaken if _port_taken(proc.log()) else RuntimeError
            raise error("kamailio did not start:\n" + proc.log()[-2000:])
        if "processes (at least)" in proc.log() or (folder / "kamailio.pid").exists():
            time.sleep(0.3)
            return proc, port
        time.sleep(0.1)
    proc.stop()
    raise RuntimeError("kamailio did not start in time:\n" + proc.log()[-2000:])


def start_phone(folder: Path, *, user: str, proxy_port: int, play: Path, answer: bool = False,
                record_dir: Path | None = None) -> tuple[Process, int]:
    """A baresip endpoint registered at the proxy as ``user``; returns the process and its control port."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _start_phone(folder, user=user, proxy_port=proxy_port, play=play, answer=answer,
                                record_dir=record_dir)
        except PortTaken:
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _start_phone(folder: Path, *, user: str, proxy_port: int, play: Path, answer: bool,
                 record_dir: Path | None) -> tuple[Process, int]:
    folder.mkdir(parents=True, exist_ok=True)
    ctrl_port = free_port()
    sip_port = free_port()
    while sip_port == ctrl_port:
        sip_port = free_port()
    if record_dir is not None:
        record_dir.mkdir(parents=True, exist_ok=True)
    (folder / "config").write_text(BARESIP_CFG.format(
        sip_port=sip_port, modules=BARESIP_MODULES, ctrl_port=ctrl_port, name=user, play=play,
        sndfile="module sndfile.so\n" if record_dir else "",
        snd_path=f"snd_path {record_dir}\n" if record_dir else ""))
    (folder / "accounts").write_text(f"<sip:{user}@127.0.0.1:{proxy_port}>;auth_pass=none;regint=60;"
                                     f"audio_codecs=PCMU{';answermode=auto' if answer else ''}\n")
    proc = _spawn(f"baresip:{user}", ["baresip", "-f", str(folder)], folder)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            error = PortTaken if _port_taken(proc.log()) else RuntimeError
            raise error("baresip did not start:\n" + proc.log()[-2000:])
        if "200 OK" in proc.log():          # registered at the proxy
            return proc, ctrl_port
        time.sleep(0.1)
    proc.stop()
    raise RuntimeError(f"baresip {user} did not register in time:\n" + proc.log()[-2000:])


def speech_wav(text: str, target: Path, *, voice: str = "zh") -> Path:
    """``text`` spoken (espeak-ng), as 8 kHz mono 16-bit WAV (sox): what a phone line carries."""
    raw = target.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(raw), text], check=True, capture_output=True)
    subprocess.run(["sox", str(raw), "-r", "8000", "-c", "1", "-b", "16", str(target)], check=True,
                   capture_output=True)
    raw.unlink()
    return target


RECORDING_NOTICE = "您好，为保障服务质量，本次通话将被录音。"
ABANDON_MESSAGE = "抱歉，现在没有工作人员接听，我们稍后再联系您。"


def announcements(folder: Path) -> dict:
    """The SIP adapter's two announcements, spoken by espeak-ng: the recording notice played when a call is
    answered and the message for a predictive call no collector took; as its options ``recording_notice`` and
    ``abandon_message``."""
    folder.mkdir(parents=True, exist_ok=True)
    return {"recording_notice": str(speech_wav(RECORDING_NOTICE, folder / "recording-notice.wav")),
            "abandon_message": str(speech_wav(ABANDON_MESSAGE, folder / "abandon-message.wav"))}
