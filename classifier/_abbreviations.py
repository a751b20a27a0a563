"""Abbreviations that end in a period but rarely end a sentence in news copy.

Lower-case, without the final period, as Punkt stores them. Punkt learns more from the training
text; this list covers what a small corpus does not show often enough to learn.
"""

# Titles stand before a name: a sentence never ends on one.
TITLES = frozenset(
    """
    mr mrs ms messrs mme mlle dr prof gen lt col maj capt cpt sgt cpl pvt adm cmdr cdr brig
    sen rep gov lt.-col lt.-gen maj.-gen brig.-gen pres rev fr sr jr hon amb supt insp det
    """.split()
)

ABBREVIATIONS = (
    TITLES
    | frozenset(
        """
    st mt ft ave blvd rd inc corp ltd co bros plc llc vs v etc approx dept univ assn est
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    a.m p.m u.s u.k u.n e.u u.s.a u.a.e d.c n.y l.a e.g i.e cf al ca
    no nos vol vols pp fig figs art arts ch sec para op ed eds repr approx
    mln bln tr
    """.split()
    )
    | frozenset("abcdefghijklmnopqrstuvwxyz")
)

# After these, a number follows and the sentence goes on: "No. 10", "Vol. 3", "pp. 12".
BEFORE_NUMBER = frozenset({"no", "nos", "vol", "vols", "pp", "fig", "figs", "art", "arts", "ch"})

# Words that start sentences in news copy and otherwise appear in lower case: after an
# abbreviation ("at 9 a.m. The talks ..."), a capitalised one of these starts a new sentence.
COMMON_STARTERS = frozenset(
    """
    the a an he she it they we i you his her its their our this that these those there here
    but and or so yet however meanwhile still also then now later earlier instead in on at
    for from by with after before during when while if although though as since until
    some many most several both all no none one two three four five asked officials
    according despite because what why how where even only not each every such another
    among against without between across last
    """.split()
)

# Abbreviations that usually sit inside a name ("U.S. Army", "Acme Bros. Pictures"): after one,
# only a common sentence-opening word starts a new sentence.
INSIDE_NAMES = frozenset(
    "inc corp ltd co bros plc llc s.a n.v ag gmbh u.s u.k u.n e.u mt st ft".split()
)

# After "a.m."/"p.m." a capitalised word starts a new sentence, unless it is one of these.
AFTER_TIME = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday gmt utc et est edt cet cest bst
    pst pdt cst cdt mst mdt wat eat cat msk
    """.split()
)

# '"Did it work?" Chebet asked.' is one sentence: a quote then its attribution.
SPEECH_VERBS = frozenset(
    """
    said says asked asks told tells shouted added adds wrote writes replied insisted declared
    exclaimed recalled joked cried yelled chanted continued explained wondered demanded
    remarked noted quipped laughed admitted warned argued posted tweeted repeated whispered
    """.split()
)
