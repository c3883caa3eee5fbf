"""Training the learned scorecards at scale: a seeded synthetic history of N cases × D days
(``concord.scoring.synthetic``), then the modelling table, the training (bins, logistic points, LightGBM challenger,
hold-out figures) of each target, and the drift of the last day — with the time of each step and the figures.

    .venv/bin/python benchmarks/scoring.py --cases 20000 --days 150 --dir /tmp/scoring-bench
    .venv/bin/python benchmarks/scoring.py --dir /tmp/scoring-bench --no-write      # on an existing history

No Django: plain DuckDB / pyarrow / numpy / optbinning / LightGBM.
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from concord.reports.store import HistoryStore  # noqa: E402
from concord.scoring import drift, features, synthetic, training  # noqa: E402

START = dt.date(2026, 1, 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=20000)
    ap.add_argument("--days", type=int, default=150)
    ap.add_argument("--every", type=int, default=7)
    ap.add_argument("--dir", default="/tmp/scoring-bench")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()
    root = Path(a.dir)
    if not a.no_write:
        shutil.rmtree(root, ignore_errors=True)
        t = time.perf_counter()
        synthetic.write_history(root, cases=a.cases, days=a.days, start=START)
        print(f"history    {a.cases} cases × {a.days} days written in {time.perf_counter() - t:.1f} s")
    st = HistoryStore(root)
    days = st.days()
    con = st.connect()
    end = days[-1] - dt.timedelta(days=features.HORIZON)
    for target in features.TARGETS:
        t = time.perf_counter()
        table = features.modelling_table(con, target, days[0], end, every=a.every)
        t_table = time.perf_counter() - t
        t = time.perf_counter()
        model = training.train(table, target)
        t_train = time.perf_counter() - t
        v = model["validation"]
        print(f"{target:<14} rows {table.num_rows:>8}  table {t_table:5.2f} s  train {t_train:5.2f} s  "
              f"hold-out AUC {v['scorecard']['holdout']['auc']} KS {v['scorecard']['holdout']['ks']} "
              f"(LightGBM AUC {v['lightgbm']['holdout']['auc']})  features {', '.join(model['features'])}")
        if target == "paid_30d":
            t = time.perf_counter()
            d = drift.day_drift(model, features.day_features(con, days[-1]))
            print(f"{'drift':<14} {d['rows']} cases on {days[-1]} in {time.perf_counter() - t:.2f} s: "
                  f"score PSI {d['score']:.3f}, " + ", ".join(f"{k} {v:.3f}" for k, v in d["features"].items()))


if __name__ == "__main__":
    main()
