# %% [markdown]
# # assetloc from a notebook
#
# Every command of the CLI is one function of `assetloc`, and every result owns its
# presentation: labelled pandas views, `summary()`, a short repr, an HTML table in Jupyter
# and plot methods that draw on a matplotlib `Axes` you give (or on a new figure).
# Estimates, not tax advice. Open this file in VS Code / Jupyter (cells are `# %%`), or run
# it: `python examples/notebook.py [output-dir]` (charts go to a temporary directory by
# default).

# %%
import sys
import tempfile
from pathlib import Path

import assetloc

HERE = Path(__file__).resolve().parent
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="assetloc-"))
OUT.mkdir(parents=True, exist_ok=True)

# %% [markdown]
# ## Optimize: allocation and location together, after tax

# %%
household = assetloc.load_household(HERE / "kaplan_net_worth.toml")
assetloc.validate(household)  # every input check, no solve
plan = assetloc.optimize(household)
print(repr(plan))  # one line: method, objective, view, accounts, classes, E / SD / U / Sharpe

# %%
print(plan.mix)  # pandas Series: after-tax household mix by class id (sums to 1)

# %%
print(plan.holdings)  # pandas DataFrame: dollars, accounts × classes

# %%
print(plan.summary())  # headline, mix by class label, gain over each baseline
print(plan.improvement_bp("duplicate"))  # bp per year over the same mix in every account

# %%
ax = plan.plot_allocation()  # stacked dollars by class in each account
ax.figure.savefig(OUT / "allocation.png")
ax = plan.plot_mix()  # after-tax vs pre-tax mix
ax.figure.savefig(OUT / "mix.png")

# %% [markdown]
# ## The evidence: Kaplan's methods and the frontier in both views

# %%
comparison = assetloc.compare(household, plan)
print(comparison.summary())
comparison.to_frame()  # methods × (view, metric)

# %%
comparison.plot().figure.savefig(OUT / "comparison.png")

# %%
frontiers = assetloc.frontiers(household, points=40, chosen_x=plan.x)
print(repr(frontiers))
frontiers["net_worth"].to_frame().head()  # expected_return, volatility, utility

# %%
ax = frontiers.plot(comparison=comparison)  # both views side by side; returns the optimized one
ax.figure.savefig(OUT / "frontier.png")

# %% [markdown]
# ## Rebalance toward the plan, lot by lot

# %%
result = assetloc.rebalance(assetloc.load_household(HERE / "rebalance.toml"))
print(result.summary())
result.to_frame()  # one row per buy and per lot sold

# %%
result.plot().figure.savefig(OUT / "drift.png")  # drift from target before and after

# %% [markdown]
# ## The year's tax return and its marginal rates

# %%
retired = assetloc.load_household(HERE / "retired_couple.toml")
tax_year = assetloc.tax_year(retired)
print(tax_year.summary())
tax_year.marginal_rates()  # federal (with NIIT), NIIT, state, total by kind of income

# %%
tax_year.plot().figure.savefig(OUT / "marginal_rates.png")
assetloc.tax_summary(retired).to_dict()["classes"][0]  # effective tax rate of one class

# %% [markdown]
# ## Bonds, and the whole report

# %%
bond = assetloc.make_bond(0.05, 2, years=5.0)  # 5% coupon, semiannual, five years
price = assetloc.price_from_yield(bond, 0.045)  # per 100 of face
measures = assetloc.bond_measures(bond, 0.045)  # durations (years), DV01, convexity
muni = assetloc.BondTaxRates(federal=0.32, state=0.05, muni=True)
after = assetloc.after_tax_yields(0.035, muni)  # a 3.5% muni: after-tax, taxable-equivalent
print(f"clean price {price.clean:.3f}, modified duration {measures.modified_duration:.3f}")
print(f"muni 3.5%: taxable-equivalent {after.taxable_equivalent:.2%}")

# %%
written = assetloc.report(household, OUT / "report.html", charts_dir=OUT / "charts", points=20)
print(f"wrote {written} and the charts in {OUT}")
