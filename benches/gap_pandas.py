#!/usr/bin/env python3
"""The gap tables of benches/gap.rs, computed with pandas and SciPy for comparison.

Reads the responses CSV the benchmark exports (audience, agency, segment, q00..q29) and
computes what `rind report gap` computes: per item and per dimension (the mean of a
respondent's answered items in it), overall and by agency, segment and team, with n, mean,
sd and t-interval per side, the Welch test and interval, Mann-Whitney U (asymptotic, with
continuity correction), Hedges' g, Cliff's delta, Benjamini-Hochberg q per table, and
groups under the reporting threshold left out. Prints {"load_s": .., "compute_s": ..}.

Usage: python3 benches/gap_pandas.py responses.csv
"""

import json
import sys
import time

import numpy as np
import pandas as pd
from scipy import stats

THRESHOLD = 5


def side(x):
    n = len(x)
    mean = x.mean() if n else None
    sd = x.std(ddof=1) if n > 1 else None
    ci = stats.t.interval(0.95, n - 1, loc=mean, scale=sd / np.sqrt(n)) if n > 1 else None
    return n, mean, sd, ci


def compare(staff, customers):
    staff = staff[~np.isnan(staff)]
    customers = customers[~np.isnan(customers)]
    ns, nc = len(staff), len(customers)
    if ns < THRESHOLD or nc < THRESHOLD:
        return None
    s, c = side(staff), side(customers)
    welch = stats.ttest_ind(staff, customers, equal_var=False)
    vs, vc = staff.var(ddof=1) / ns, customers.var(ddof=1) / nc
    df = (vs + vc) ** 2 / (vs**2 / (ns - 1) + vc**2 / (nc - 1))
    diff = staff.mean() - customers.mean()
    half = stats.t.ppf(0.975, df) * np.sqrt(vs + vc)
    mw = stats.mannwhitneyu(staff, customers, alternative="two-sided", method="asymptotic", use_continuity=True)
    pooled = np.sqrt(((ns - 1) * staff.var(ddof=1) + (nc - 1) * customers.var(ddof=1)) / (ns + nc - 2))
    g = diff / pooled * (1 - 3 / (4 * (ns + nc) - 9))
    cliffs = 2 * mw.statistic / (ns * nc) - 1
    return dict(staff=s, customers=c, gap=diff, ci=(diff - half, diff + half), t=welch.statistic,
                p=welch.pvalue, u=mw.statistic, mw_p=mw.pvalue, g=g, cliffs=cliffs)


def bh(ps):
    ps = np.asarray(ps, dtype=float)
    m = len(ps)
    if m == 0:
        return ps
    order = np.argsort(ps)
    ranked = ps[order] * m / np.arange(1, m + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1)
    out = np.empty(m)
    out[order] = q
    return out


def table(staff, customers, items, dims):
    rows = []
    for item in items:
        rows.append(compare(staff[item].to_numpy(float), customers[item].to_numpy(float)))
    for d in dims:
        rows.append(compare(staff[d].to_numpy(float), customers[d].to_numpy(float)))
    items_p = [r["p"] for r in rows[: len(items)] if r]
    dims_p = [r["p"] for r in rows[len(items):] if r]
    return rows, bh(items_p), bh(dims_p)


def main(path):
    start = time.perf_counter()
    df = pd.read_csv(path, dtype={"audience": "category", "agency": "category", "segment": "category"})
    loaded = time.perf_counter()

    items = [c for c in df.columns if c.startswith("q")]
    dims = {}
    for i, item in enumerate(items):
        dims.setdefault(f"d{i % 6}", []).append(item)
    for d, members in dims.items():
        df[d] = df[members].mean(axis=1, skipna=True)
    dim_names = list(dims)
    customers = df[df.audience == "customer"]
    staff = df[df.audience == "staff"]

    tables = [table(staff, customers, items, dim_names)]
    for column in ("agency", "segment"):
        for _, group in customers.groupby(column, observed=True):
            if len(group) >= THRESHOLD:
                tables.append(table(staff, group, items, dim_names))
    for _, group in staff.groupby("segment", observed=True):
        if len(group) >= THRESHOLD:
            tables.append(table(group, customers, items, dim_names))
    done = time.perf_counter()
    assert len(tables) > 1
    print(json.dumps({"load_s": loaded - start, "compute_s": done - loaded, "tables": len(tables)}))


if __name__ == "__main__":
    main(sys.argv[1])
