"""One-line errors for the launch/ Python scripts: a bad argument or input prints
"<prog>: error: <message>" on stderr and exits with status 2. Standard library only, so a
script can report a missing h5py or matplotlib through it."""

import argparse
import sys


def fail(prog, message):
    sys.stderr.write(f"{prog}: error: {message}\n")
    sys.exit(2)


class Parser(argparse.ArgumentParser):
    """argparse whose usage errors are one line and exit status 2."""

    def error(self, message):
        fail(self.prog, message)
