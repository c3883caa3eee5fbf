"""``concord`` — the command-line entry point, a thin wrapper over Django's management commands.

    concord migrate | concord seed --seed 7 --debtors 5000 | concord loan schedule ... | concord audit verify
"""
import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["demo"]:
        # The demo runs on development keys (files in the data directory) and without two-factor sign-in, and says
        # so when it starts; set the variables to run it otherwise.
        os.environ.setdefault("CONCORD_DEV_KEYS", "1")
        os.environ.setdefault("CONCORD_TWO_FACTOR", "off")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["concord", *args])
    except ImproperlyConfigured as exc:  # missing keys and the like: say what is wrong, without a traceback
        sys.stderr.write(f"concord: {exc}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
