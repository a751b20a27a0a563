"""The words attribution looks for: cue verbs by kind, and the words around a speaker.

Plain English lists, the same for every scheme (a scheme's own names are its actors). Kept apart
from the rules in ``classifier.attribution`` so that each reads on its own.
"""

from __future__ import annotations

CLAIM, DENIAL, ACCUSATION, ACT = "claim", "denial", "accusation", "act"


def _forms(kind: str, stems: str) -> dict[str, str]:
    return {form: kind for form in stems.split()}


# Every form in lower case. Third-person forms that are also nouns ("claims", "reports") count
# only when no determiner or possessive comes just before them.
CUES: dict[str, str] = {
    **_forms(
        CLAIM,
        "say says said saying tell tells told add adds added claim claims claimed claiming "
        "insist insists insisted warn warns warned stated declare declares declared announce "
        "announces announced reported note notes noted argue argues argued assert asserts "
        "asserted maintained confirm confirms confirmed admit admits admitted acknowledge "
        "acknowledges acknowledged vow vows vowed pledge pledges pledged promised threaten "
        "threatens threatened urge urges urged call calls called describe describes described "
        "recall recalls recalled write writes wrote posted explained stressed emphasised "
        "emphasized underlined suggested hail hails hailed praised boasted mocked predicted "
        "reiterated repeated contended replied retorted tweeted cited quoted believes "
        "estimated reports revealed reveals disclosed informed assured assures highlighted "
        "stresses explains insists notes warns argues writes believes alleges expressed "
        "pointed asked asks demanded demands presented portrayed depicted characterised "
        "characterized labelled labeled termed welcomed welcomes calling saying claiming "
        "adding warning insisting urging describing asserting stressing noting arguing "
        "declaring announcing explaining suggesting threatening vowing promising pledging "
        "recalling emphasising emphasizing echoed echoes echoing",
    ),
    **_forms(
        DENIAL,
        "deny denies denied denying reject rejects rejected rejecting dismiss dismisses "
        "dismissed refute refutes refuted dispute disputes disputed rebuffed rebutted "
        "downplayed contested denying rejecting dismissing",
    ),
    **_forms(
        ACCUSATION,
        "accuse accuses accused accusing blame blames blamed condemn condemns condemned "
        "denounce denounces denounced branded alleged alleges slammed criticised criticized "
        "decried accusing blaming condemning alleging denouncing",
    ),
    **_forms(ACT, "issued released published spoke comment commented responded briefed"),
}
NOUN_LIKE = frozenset(
    "claims reports calls notes warns says vows pledges hails demands writes claim report "
    "call note comment vow pledge demand".split()
)
# Past participles that follow a noun they describe: "a video posted on Telegram".
PARTICIPLES = frozenset("posted published released issued reported quoted cited".split())
# Cues that are adjectives right after a determiner: "the alleged proposal", "its claimed win".
ADJECTIVAL = frozenset("alleged claimed purported".split())
# Forms that are nouns too and, with no word after them, are nouns: "... over massacre claim".
BARE_NOUNS = frozenset("claim claims report call calls note vow pledge comment".split())
DETERMINERS = frozenset("the a an its his her their these those this that 's ’s".split())
# Contracted negations are one token ("hasn't", "didn’t"), written with either apostrophe.
CONTRACTED_NEGATIONS = frozenset(
    f"{aux}n{apostrophe}t"
    for aux in ("has", "have", "had", "did", "does", "do", "would", "could", "should", "wo", "ca")
    + ("is", "are", "was", "were")
    for apostrophe in "'’"
) | {"cannot"}
NEGATIONS = frozenset("not n't never no declined refused without".split()) | CONTRACTED_NEGATIONS
# Verbs after which the speaker may follow: '"...," said the spokesman.'
INVERTIBLE = frozenset("said says added told wrote asked continued".split())
# Where a speaker's phrase cannot reach across, looking left from the cue.
# Where a phrase between commas ends, looking left.
HARD_BOUNDARY = frozenset('; : ( ) [ ] . ! ? — – - " “ ” « » „'.split())
BOUNDARY = frozenset(
    '; : ( ) [ ] . ! ? — – - " “ ” « » „ that and but while as because after before when if '
    "which is are was were be been being why how whether".split()
)
LEADING_SKIP = frozenset("and but while whilst although though as also then however".split())
# A leading clause opened by one of these concedes; the main clause after its comma is what the
# sentence asserts ("While they reported casualties, they did not specify ...").
CONCESSIVE = frozenset("while whilst although though".split())
# Verbs of telling that, negated in a main clause, say what a source withheld.
WITHHELD = frozenset(
    "specify specified say said give gave disclose disclosed provide provided reveal revealed "
    "identify identified name named elaborate comment confirm confirmed detail".split()
)
# Words between a speaker and the verb that are not part of the speaker: "the army on Monday said",
# "the ministry hasn't said" (the negation is not the speaker's).
TRAILING = (
    frozenset(
        "also later earlier has had have will would could may might on in late early last this "
        "now reportedly officially did does do should must "
        "monday tuesday wednesday thursday friday saturday sunday night morning evening week "
        "again previously separately further repeatedly publicly recently already long often "
        "has_been yesterday today itself themselves himself herself not never".split()
    )
    | CONTRACTED_NEGATIONS
)
PRONOUNS = {
    "he": "person",
    "she": "person",
    "it": "org",
    "they": "any",
    "one": "any",
    "another": "any",
}
# Definite descriptions ("the spokesman", "the statement") and what they can refer to.
DESCRIPTIONS = {
    **dict.fromkeys(
        "spokesman spokeswoman spokesperson minister official commander envoy ambassador "
        "diplomat president leader general colonel officer chief adviser advisor deputy "
        "source premier secretary".split(),
        "any",  # a spokesman speaks for a person or an institution
    ),
    **dict.fromkeys(
        "ministry government statement communique communiqué channel group coalition "
        "movement agency outlet broadcaster embassy office presidency alliance front council "
        "command mission post report video account military army junta authorities "
        "administration bloc organisation organization service newspaper network letter "
        "declaration document text note groups movements channels ministries".split(),
        "org",
    ),
    **dict.fromkeys("officials authorities leaders fighters separatists".split(), "any"),
}
DEFINITE = frozenset("the this that its his her their same another one each both".split())
# Heads that make a nation word speak for its party: "Malian army", "Russia's foreign ministry".
OFFICIAL_HEADS = frozenset(
    "army military government ministry officials official authorities spokesman spokeswoman "
    "spokesperson minister president presidency embassy ambassador diplomat diplomats envoy "
    "intelligence forces troops soldiers junta leader leaders leadership state media "
    "television mission delegation representative sources source command staff junta "
    "council officers officer prosecutor prosecutors foreign defence defense security "
    "interior communique communiqué statement administration parliament deputy "
    "commanders commander fighters instructors mercenaries navy air".split()
)
# Capitalised words that make an unknown speaker an organisation rather than a person.
ORG_WORDS = frozenset(
    "ministry army council nations front movement group agency news telegram watch "
    "international office government union committee commission forces alliance "
    "coalition bank department service institute center centre organisation organization "
    "network press radio television tv channel embassy mission".split()
)

# An aside: a relative clause, an apposition, or a phrase led by a preposition ("X, in a
# statement posted on Telegram, said").
ASIDE_STARTS = frozenset(
    "who which whose where as a an in on at during after before for from with without despite "
    "under citing via quoting speaking".split()
)

# Nouns for people who speak but for no party of their own: "residents said".
SPEAKER_NOUNS = frozenset(
    "resident residents witness witnesses villager villagers doctor doctors nurse nurses "
    "medic medics analyst analysts expert experts observer observers journalist journalists "
    "trader traders activist activists lawyer lawyers researcher researchers diplomats "
    "official officials sources source survivor survivors relatives elder elders".split()
)

# Words that no speaker's phrase holds: the phrase was a clause, not a subject.
NOT_IN_SPEAKER = frozenset("over with after before against into by than not".split())

# What opens a sentence before its subject: "Meanwhile, ...", "On Monday, ...": never a speaker.
OPENERS = frozenset(
    "meanwhile however separately elsewhere moreover additionally instead still yet overall "
    "earlier later then now meantime in the a an at on of by for since after before during "
    "last next first finally late early afternoon noon midnight weekend month year "
    "january february march april may june july august september october november december".split()
)

POSSESSIVE = frozenset("its their his her".split())

# "in Bamako", "at the council": a place, not the speaker.
LOCATIVE = frozenset("in at near on from to across outside inside around within".split())

FIRST_PERSON = frozenset("we our us ours i my me".split())
