"""``concord scoring train|list|approve|retire|show`` — the learned scorecards (docs/scoring.md).

    concord scoring train --target paid_30d --from 2026-01-01 --to 2026-04-30 [--every 7] [--sample 0.1]
                          [--name NAME] [--json]
    concord scoring list [--json]
    concord scoring show --id N                      the bins and points, validation figures, latest drift
    concord scoring approve --id N --user NAME       a manager (capability configure); retires the target's live model
    concord scoring retire --id N --user NAME
    concord scoring response --from D --to D [--every 7] [--json]   paid-within-30-days rate by bucket and first channel,
                                                                     uplift against no contact (observational)
    concord scoring explain --id N --case REF [--day D]  a case's score in parts and its reason codes (the day's
                                                          features from the daily history; default: its last day)

Bad input (unknown target, dates, a period without data, a user who may not approve) exits 2 and writes nothing."""
from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text}", returncode=2) from None


def _row(m) -> dict:
    v = m.validation
    return {"id": m.pk, "name": m.name, "target": m.target, "version": m.version, "status": m.status,
            "from": m.train_from.isoformat(), "to": m.train_to.isoformat(), "features": m.features,
            "holdout": v.get("scorecard", {}).get("holdout"), "challenger": v.get("lightgbm", {}).get("holdout")}


class Command(BaseCommand):
    help = "Train, list, approve and retire the learned scorecards."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["train", "list", "show", "approve", "retire", "explain", "response"])
        parser.add_argument("--target", help="paid_30d, promise_kept or self_cure_30d")
        parser.add_argument("--from", dest="start", type=_date, help="first observation day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="end", type=_date, help="last observation day (YYYY-MM-DD)")
        parser.add_argument("--every", type=int, default=7, help="train: one observation day in N (default 7)")
        parser.add_argument("--sample", type=float, default=1.0,
                            help="train: the share of the cases to train on (default 1: all; the same cases each day)")
        parser.add_argument("--name", default="", help="train: the model's name (default: the target's)")
        parser.add_argument("--id", type=int, help="show/approve/retire/explain: the model")
        parser.add_argument("--case", help="explain: the case's reference")
        parser.add_argument("--day", type=_date, help="explain: the day (default: the history's last day)")
        parser.add_argument("--user", help="approve/retire: the manager it is done as; train: recorded as creator")
        parser.add_argument("--json", action="store_true", help="JSON output")

    def handle(self, *args, action, **o):
        from concord.scoring import selectors, services
        from concord.scoring.models import ScoringModel
        from concord.staff.models import User

        actor = None
        if o["user"]:
            actor = User.objects.filter(username=o["user"]).first()
            if actor is None:
                raise CommandError(f"--user: no user {o['user']!r}", returncode=2)
        if action == "list":
            rows = [_row(m) for m in selectors.registry()]
            for r in rows:
                if o["json"]:
                    self.stdout.write(json.dumps(r, ensure_ascii=False))
                else:
                    auc = (r["holdout"] or {}).get("auc")
                    self.stdout.write(f"{r['id']:>4}  {r['target']:<14} v{r['version']:<3} {r['status']:<9} "
                                      f"{r['from']} … {r['to']}  hold-out AUC {auc}  {r['name']}")
            if not rows and not o["json"]:
                self.stdout.write("no models yet: concord scoring train --target paid_30d --from D --to D")
            return
        if action == "response":
            self._response(o)
            return
        if action == "train":
            if not o["target"] or not o["start"] or not o["end"]:
                raise CommandError("train needs --target, --from and --to", returncode=2)
            if o["every"] < 1:
                raise CommandError("--every: at least 1", returncode=2)
            if not 0 < o["sample"] <= 1:
                raise CommandError("--sample: a share above 0 and at most 1", returncode=2)
            try:
                model = services.train_model(actor, o["target"], o["start"], o["end"], name=o["name"],
                                             every=o["every"], sample=o["sample"])
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages), returncode=2) from None
            out = _row(model)
            if o["json"]:
                self.stdout.write(json.dumps(out, ensure_ascii=False))
            else:
                self.stdout.write(f"model {model.pk}: {model.label} (draft), features {', '.join(model.features)}; "
                                  f"hold-out from {model.holdout_from}: scorecard {out['holdout']}, "
                                  f"LightGBM {out['challenger']}")
                short = model.validation.get("lookback_short")
                if short:
                    self.stdout.write(f"note: the history begins {short['history_from']}: observation days before "
                                      f"{short['complete_from']} see less than {short['days']} days of payments "
                                      "and promises")
            return
        if not o["id"]:
            raise CommandError(f"{action} needs --id", returncode=2)
        model = ScoringModel.objects.filter(pk=o["id"]).first()
        if model is None:
            raise CommandError(f"--id: no model {o['id']}", returncode=2)
        if action == "show":
            out = {**_row(model), "bins": model.bins, "iv": model.details.get("iv"),
                   "drift": [{"day": d.day.isoformat(), "score_psi": d.score_psi, "features": d.feature_psi,
                              "alert": d.alert} for d in selectors.drift_of(model, 5)]}
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=None if o["json"] else 1))
            return
        if action == "explain":
            self._explain(model, o)
            return
        if actor is None:
            raise CommandError(f"{action} needs --user (a manager)", returncode=2)
        try:
            model = (services.approve if action == "approve" else services.retire)(actor, model)
        except (ValidationError, PermissionDenied) as exc:
            msg = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise CommandError(msg, returncode=2) from None
        self.stdout.write(f"model {model.pk}: {model.label} {model.status}")

    def _explain(self, model, o):
        from concord.cases.models import Case
        from concord.reports.capture import store
        from concord.scoring import features, training

        if not o["case"]:
            raise CommandError("explain needs --case (the case's reference)", returncode=2)
        case = Case.objects.filter(reference=o["case"]).first()
        if case is None:
            raise CommandError(f"--case: no case {o['case']!r}", returncode=2)
        st = store()
        days = st.days()
        day = o["day"] or (days[-1] if days else None)
        if day is None or day not in days:
            raise CommandError(f"--day: the daily history has no {day or 'day'}", returncode=2)
        con = st.connect()
        try:
            rows = features.day_features(con, day, case.pk).to_pylist()
        finally:
            con.close()
        if not rows:
            raise CommandError(f"case {case.reference} was not delinquent on {day}: it is not scored", returncode=2)
        out = {"model": model.label, "case": case.reference, "day": day.isoformat(),
               **training.explain(model.bins, rows[0])}
        if o["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        self.stdout.write(f"{model.label}  case {case.reference}  {day}: score {out['score']} (base {out['base']})")
        for p in out["parts"]:
            rng = f"[{'' if p['lower'] is None else p['lower']}, {'' if p['upper'] is None else p['upper']})"
            self.stdout.write(f"  {p['characteristic']:<18} {p['value']:>12}  bin {rng:<24} {p['points']:+d}")
        self.stdout.write("  reasons: " + (", ".join(out["reasons"]) or "none"))

    def _response(self, o):
        from concord.reports.capture import store
        from concord.scoring import features, response

        if not o["start"] or not o["end"]:
            raise CommandError("response needs --from and --to", returncode=2)
        if o["every"] < 1:
            raise CommandError("--every: at least 1", returncode=2)
        con = store().connect()
        try:
            rows = response.channel_response(con, o["start"], o["end"], every=o["every"])
        except (features.NoData, ValueError) as exc:
            raise CommandError(str(exc), returncode=2) from None
        finally:
            con.close()
        for r in rows:
            if o["json"]:
                self.stdout.write(json.dumps(r, ensure_ascii=False))
                continue
            up = "" if r["uplift"] is None else f"  uplift {r['uplift']:+.4f} [{r['low']:+.4f}, {r['high']:+.4f}]"
            self.stdout.write(f"{r['segment']:<4} {r['channel']:<10} cases {r['cases']:>8}  paid {r['paid']:>7}  "
                              f"rate {r['rate']:.4f}{up}")
