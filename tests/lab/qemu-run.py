#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Boot the lab guest under QEMU (TCG) and drive it through a list of steps.

usage: qemu-run.py [options] STEP...

Steps, run in order:
  wait:TEXT        wait until TEXT appears on the serial console
  send:TEXT        type TEXT and a newline on the serial console
  dump:FMT:PATH    QMP stop + dump-guest-memory (paging=false) in FMT
                   (elf, kdump-zlib, ...) to PATH, then cont
  exit             wait for QEMU to exit by itself (the guest powers off)
  quit             QMP quit

Every step shares one deadline (--timeout); QEMU itself also runs under
timeout(1). Anything unexpected (QEMU exits early, a QMP error, the
deadline) exits 1 with a message on stderr; the serial log is in --log.
Written for /usr/bin/python3 (Debian's), standard library only.
"""
import argparse
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time


def die(msg):
    print(f"qemu-run: {msg}", file=sys.stderr)
    sys.exit(1)


class Guest:
    def __init__(self, args):
        self.args = args
        self.deadline = time.monotonic() + args.timeout
        self.buf = b""
        self.seen = 0
        self.log = open(args.log, "wb")
        cmd = ["timeout", "-k", "5", str(args.timeout + 10), args.qemu,
               "-accel", "tcg", "-m", args.mem, "-smp", "1"]
        if args.machine:
            cmd += ["-M", args.machine]
        if args.cpu:
            cmd += ["-cpu", args.cpu]
        cmd += ["-display", "none", "-vga", "none", "-no-reboot",
                "-serial", "stdio", "-monitor", "none",
                "-kernel", args.kernel, "-initrd", args.initrd,
                "-append", args.append]
        # The guest's results: its second serial port, into a file; on a
        # board with one UART (arm64 virt), a virtio console (hvc0).
        if args.results_on == "virtio":
            cmd += ["-device", "virtio-serial-device",
                    "-chardev", f"file,id=results,path={args.results}",
                    "-device", "virtconsole,chardev=results"]
        else:
            cmd += ["-serial", f"file:{args.results}"]
        if args.vmcoreinfo:
            cmd += ["-device", "vmcoreinfo"]
        self.qmp_path = None
        if args.qmp:
            self.qmp_path = args.qmp
            if os.path.exists(self.qmp_path):
                os.unlink(self.qmp_path)
            cmd += ["-qmp", f"unix:{self.qmp_path},server=on,wait=off"]
        self.t0 = time.monotonic()
        # Its own process group, so that a failure kills QEMU and not
        # only timeout(1) (SIGKILL is not forwarded).
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.qmp = None

    def left(self):
        return self.deadline - time.monotonic()

    def pump(self, wait):
        """Read console output for at most `wait` seconds; False at EOF."""
        r, _, _ = select.select([self.proc.stdout], [], [], max(0, wait))
        if not r:
            return True
        data = os.read(self.proc.stdout.fileno(), 65536)
        if not data:
            return False
        self.buf += data
        self.log.write(data)
        self.log.flush()
        return True

    def wait_text(self, text):
        needle = text.encode()
        while True:
            i = self.buf.find(needle, self.seen)
            if i >= 0:
                self.seen = i + len(needle)
                return
            if self.left() <= 0:
                self.fail(f"timed out waiting for '{text}'")
            if not self.pump(min(self.left(), 1.0)):
                self.fail(f"QEMU exited before '{text}'")

    def send(self, text):
        self.proc.stdin.write(text.encode() + b"\n")
        self.proc.stdin.flush()

    def qmp_connect(self):
        if not self.qmp_path:
            die("a QMP step needs --qmp")
        while self.qmp is None:
            try:
                s = socket.socket(socket.AF_UNIX)
                s.settimeout(max(1.0, self.left()))
                s.connect(self.qmp_path)
                self.qmp = s.makefile("rw")
            except OSError:
                if self.left() <= 0:
                    self.fail("cannot connect to QMP")
                time.sleep(0.1)
        json.loads(self.qmp.readline())          # greeting
        self.qmp_cmd("qmp_capabilities")

    def qmp_cmd(self, name, **arguments):
        if self.qmp is None:
            self.qmp_connect()
        msg = {"execute": name}
        if arguments:
            msg["arguments"] = arguments
        self.qmp.write(json.dumps(msg) + "\n")
        self.qmp.flush()
        while True:
            line = self.qmp.readline()
            if not line:
                self.fail(f"QMP closed during '{name}'")
            r = json.loads(line)
            if "error" in r:
                self.fail(f"QMP '{name}': {r['error']}")
            if "return" in r:
                return r["return"]

    def dump(self, fmt, path):
        if os.path.exists(path):
            os.unlink(path)
        t = time.monotonic()
        target, dd = os.path.abspath(path), None
        if self.args.sparse_dumps:
            # An ELF dump is one sequential stream: through a FIFO into
            # dd conv=sparse, the guest's untouched (zero) memory takes no
            # disk, so a 6 GiB guest's dumps fit where its RAM would not.
            target = os.path.abspath(path) + ".fifo"
            if os.path.exists(target):
                os.unlink(target)
            os.mkfifo(target)
            dd = subprocess.Popen(["dd", f"if={target}", f"of={path}",
                                   "bs=64K", "conv=sparse", "status=none"])
        self.qmp_cmd("stop")
        # Synchronous without detach: the file is complete on return.
        self.qmp_cmd("dump-guest-memory", paging=False,
                     protocol=f"file:{target}", format=fmt)
        if dd:
            rc = dd.wait()
            os.unlink(target)
            if rc != 0:
                self.fail(f"dd of the dump '{path}' exited {rc}")
        self.qmp_cmd("cont")
        if not os.path.exists(path) or os.path.getsize(path) == 0:
            self.fail(f"dump '{path}' is missing or empty")
        print(f"dump {fmt}: {os.path.getsize(path) >> 20} MiB "
              f"({os.stat(path).st_blocks >> 11} MiB on disk) in "
              f"{time.monotonic() - t:.1f} s", file=sys.stderr)

    def wait_exit(self):
        while self.pump(min(max(self.left(), 0), 1.0)):
            if self.left() <= 0:
                self.fail("timed out waiting for the guest to power off")
        rc = self.proc.wait()
        if rc != 0:
            self.fail(f"QEMU exited with status {rc}")

    def quit(self):
        try:
            self.qmp_cmd("quit")
        except (OSError, ValueError):
            pass
        self.wait_exit()

    def fail(self, msg):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        self.proc.wait()
        self.log.close()
        die(f"{msg} (after {time.monotonic() - self.t0:.1f} s; "
            f"console log {self.args.log})")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--qemu", default="qemu-system-x86_64")
    p.add_argument("--machine", help="QEMU -M (arm64: virt)")
    p.add_argument("--cpu", help="QEMU -cpu (arm64: max)")
    p.add_argument("--results-on", choices=("serial", "virtio"),
                   default="serial",
                   help="where the guest writes its results: a second "
                        "serial port (ttyS1) or a virtio console (hvc0)")
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--append", required=True)
    p.add_argument("--mem", default="256M")
    p.add_argument("--log", required=True)
    p.add_argument("--results", required=True,
                   help="file that receives the guest's /dev/ttyS1 (hvc0)")
    p.add_argument("--qmp")
    p.add_argument("--vmcoreinfo", action="store_true")
    p.add_argument("--sparse-dumps", action="store_true",
                   help="write ELF dumps as sparse files (through dd)")
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("steps", nargs="+")
    args = p.parse_args()

    g = Guest(args)
    for step in args.steps:
        kind, _, rest = step.partition(":")
        if kind == "wait":
            g.wait_text(rest)
        elif kind == "send":
            g.send(rest)
        elif kind == "dump":
            fmt, _, path = rest.partition(":")
            g.dump(fmt, path)
        elif kind == "exit":
            g.wait_exit()
        elif kind == "quit":
            g.quit()
        else:
            g.fail(f"unknown step '{step}'")
    g.log.close()
    print(f"guest ran {time.monotonic() - g.t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
