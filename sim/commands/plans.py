"""``teamsim plans``: the plan library (``scenarios/plans/``), one template a line."""

from __future__ import annotations

import argparse
import textwrap

from sim.cli import EXIT_OK, bad_input


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plans", help="list the plan templates a scheme can include with `plan: NAME`")
    p.add_argument("name", nargs="?", help="show one template's keys as a scheme would hold them")
    p.set_defaults(func=cmd_plans)


def cmd_plans(args: argparse.Namespace) -> int:
    import yaml

    from sim.scenario.library import LIBRARY, library, suggest

    templates, problems = library()
    if args.name is not None:
        if args.name not in templates:
            return bad_input(problems + [f"plans: no template named {args.name!r}{suggest(args.name, templates)}"])
        t = templates[args.name]
        print(f"# {t.name}: {t.description}\n# source: {t.source}")
        print(yaml.safe_dump(t.keys, sort_keys=False), end="")
        return EXIT_OK
    print(f"plan templates in {LIBRARY} (include one in a scheme with `plan: NAME`):")
    width = max((len(n) for n in templates), default=4)
    kinds = max((len(t.type) for t in templates.values()), default=4)
    for t in templates.values():
        print(f"  {t.name:{width}}  {t.type:{kinds}}  {t.description}")
        print(textwrap.fill(f"source: {t.source}", 110, initial_indent=" " * (width + kinds + 6),
                            subsequent_indent=" " * (width + kinds + 14)))
    return bad_input(problems) if problems else EXIT_OK
