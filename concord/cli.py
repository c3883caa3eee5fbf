"""``concord`` — the command-line entry point, a thin wrapper over Django's management commands.

    concord migrate | concord seed --seed 7 --debtors 5000 | concord loan schedule ... | concord audit verify
"""
import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["concord", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
