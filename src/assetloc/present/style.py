"""Shared look of charts and reports: palettes, class colours (numbers: `present.fmt`).

Colours are colour-blind safe: asset classes use Paul Tol's *muted* qualitative scheme
(ten colours, tested for deuteranopia, protanopia and tritanopia), comparison methods and
the two views use the Okabe–Ito palette. A class keeps its colour in every chart of one
report because colours are assigned by the class order of the plan (``plan.classes``),
never by which classes a chart happens to show. Numbers are formatted by
:mod:`assetloc.present.fmt`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: Paul Tol's "muted" scheme (https://personal.sron.nl/~pault/), in his recommended order.
CLASS_PALETTE: tuple[str, ...] = (
    "#332288",  # indigo
    "#88CCEE",  # cyan
    "#44AA99",  # teal
    "#117733",  # green
    "#999933",  # olive
    "#DDCC77",  # sand
    "#CC6677",  # rose
    "#882255",  # wine
    "#AA4499",  # purple
    "#DDDDDD",  # pale grey
)

#: Hatches that tell classes apart once the ten colours are used up (11th class onward).
CLASS_HATCHES: tuple[str, ...] = ("", "//", "..", "xx", "\\\\")

#: Okabe & Ito (2008) colour-blind-safe palette, used for methods and views.
OKABE_ITO: dict[str, str] = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "bluish_green": "#009E73",
    "orange": "#E69F00",
    "reddish_purple": "#CC79A7",
    "sky_blue": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}

#: Colour of each view (financial assets alone, or as part of net worth).
VIEW_COLORS: dict[str, str] = {
    "financial": OKABE_ITO["blue"],
    "net_worth": OKABE_ITO["vermillion"],
}

#: Human label of each view.
VIEW_LABELS: dict[str, str] = {"financial": "financial assets", "net_worth": "net worth"}

#: Fixed colours and markers of the comparison methods (DESIGN.md §3).
METHOD_STYLES: dict[str, tuple[str, str]] = {
    "joint": (OKABE_ITO["blue"], "*"),
    "duplicate": (OKABE_ITO["vermillion"], "o"),
    "separate": (OKABE_ITO["reddish_purple"], "s"),
    "two_step": (OKABE_ITO["bluish_green"], "D"),
    "rule_of_thumb": (OKABE_ITO["orange"], "^"),
}
_EXTRA_METHOD_STYLES: tuple[tuple[str, str], ...] = (
    (OKABE_ITO["sky_blue"], "v"),
    (OKABE_ITO["black"], "P"),
    ("#777777", "X"),
)

#: Short description of each method, for legends and tables.
METHOD_DESCRIPTIONS: dict[str, str] = {
    "joint": "joint allocation and location (the optimizer)",
    "duplicate": "same mix in every account",
    "separate": "each account optimized on its own",
    "two_step": "pre-tax mix first, then placed",
    "rule_of_thumb": "guide's placement rule",
}


#: Matplotlib settings applied (through ``rc_context``) while building and saving charts.
RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 10.0,
    "axes.titlesize": 11.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 10.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.7,
    "axes.axisbelow": True,
    "legend.fontsize": 9.0,
    "legend.frameon": False,
    "figure.titlesize": 13.0,
    "figure.titleweight": "bold",
    "hatch.linewidth": 0.8,
    "text.parse_math": False,  # user ids may hold "$": never mathtext
    "svg.fonttype": "path",  # glyphs as paths: the SVG renders the same without the font
    "svg.hashsalt": "assetloc",  # deterministic ids in SVG output
}


def class_colors(classes: Iterable[str]) -> dict[str, str]:
    """Colour of each asset class, by its position in ``classes`` (hex strings).

    Parameters
    ----------
    classes
        Class ids in the plan's order (``plan.classes``).

    Returns
    -------
    dict
        Class id → ``"#RRGGBB"``; the palette repeats after ten classes (see
        :func:`class_hatches`).
    """
    return {c: CLASS_PALETTE[i % len(CLASS_PALETTE)] for i, c in enumerate(classes)}


def class_hatches(classes: Iterable[str]) -> dict[str, str]:
    """Hatch pattern of each class: none for the first ten, then one per repeat of the palette."""
    n = len(CLASS_PALETTE)
    return {c: CLASS_HATCHES[(i // n) % len(CLASS_HATCHES)] for i, c in enumerate(classes)}


def method_style(name: str, index: int = 0) -> tuple[str, str]:
    """Colour and marker of a comparison method; unknown names get a spare style by index."""
    if name in METHOD_STYLES:
        return METHOD_STYLES[name]
    return _EXTRA_METHOD_STYLES[index % len(_EXTRA_METHOD_STYLES)]


def text_color_on(hex_color: str) -> str:
    """Black or white, whichever reads better on ``hex_color`` (WCAG relative luminance)."""
    h = hex_color.lstrip("#")
    rgb = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000000" if lum > 0.22 else "#FFFFFF"


def utility_formula(kind: str) -> str:
    """How utility is defined for an objective ``kind``, for titles and notes.

    Mean-variance (the default): ``U = E − (A/2)·SD²``, a certainty-equivalent return.
    CRRA (``crra``): the Levy–Markowitz approximation.
    """
    if str(kind).lower() == "crra":
        return "U = u(1+E) + ½·u″(1+E)·SD² (CRRA, Levy–Markowitz)"
    return "U = E − (A/2)·SD²"
