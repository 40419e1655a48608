"""The words: moods, genres, fillers, and how catalog keywords and review text map to moods.

Kept as plain tables so anyone can see (and argue with) why a film counts as
"sad": a transparent lexicon beats an opaque model for a community bot, and it
costs nothing at query time.
"""

from __future__ import annotations

import re


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# mood id -> label shown in "Read as:"
MOOD_LABELS: dict[str, str] = {
    "sad": "sad",
    "heartwarming": "heartwarming",
    "feelgood": "feel-good",
    "funny": "funny",
    "scary": "scary",
    "creepy": "creepy",
    "gory": "gory",
    "mindbending": "mind-bending",
    "slowburn": "slow-burn",
    "bleak": "bleak",
    "romantic": "romantic",
    "tense": "tense",
}

# What people type -> mood. Phrases of up to four words; comparatives included
# so "like Parasite but funnier" reads as a mood, not as a search word.
MOOD_WORDS: dict[str, str] = {}
for _mood, _words in {
    "sad": "sad sadder saddest tearjerker tearjerkers tear-jerker tear-jerkers tear jerker weepy weepie weepies "
    "cry crying cries tears tearful heartbreaking heartbreak heart-breaking emotional tragic tragedy "
    "melancholy melancholic devastating sob sobbing depressing|make me cry|made me cry|need a good cry|"
    "good cry|ugly cry|gut-wrenching|gut wrenching",
    "heartwarming": "heartwarming heart-warming wholesome touching sweet sweeter warmer tender warm moving|"
    "warm hearted|heart warming",
    "feelgood": "feel-good feelgood uplifting cheerful cheerier happy happier upbeat light lighter lighthearted "
    "light-hearted fun "
    "comforting comfort cozy cosy|feel good|pick me up|pick-me-up|cheer me up|bad day|rough day|long day|"
    "rainy day|rainy sunday|lazy sunday|sunday afternoon|comfort film|comfort movie",
    "funny": "funny funnier funniest hilarious humorous humour humor laugh laughs laughing witty comedic "
    "amusing goofy silly|make me laugh|laugh out loud",
    "scary": "scary scarier scariest terrifying frightening spooky horrifying chilling nightmare "
    "nightmares|keep me up at night|scare me",
    "creepy": "creepy creepier eerie unsettling disturbing uncanny unnerving atmospheric haunting",
    "gory": "gory gore gorier bloody violent violence splatter gruesome graphic brutal",
    "mindbending": "mind-bending mindbending mind-blowing mindblowing trippy twisty cerebral puzzle puzzling "
    "confusing surreal mindfuck|mind bending|mind blowing|mind-bendy|make me think|plot twist|plot twists|"
    "twist ending|twists|mess with my head|messes with your head|mess with your head|messes with my head|"
    "head-scratcher|head scratcher|mind fuck",
    "slowburn": "slow-burn slowburn slow meditative patient contemplative quiet|slow burn|slow burning",
    "bleak": "bleak bleaker dark darker darkest grim gritty nihilistic hopeless depressing bleakest",
    "romantic": "romantic love|more romantic|love story|love stories|date night|swoon",
    "tense": "tense tenser suspenseful suspense thrilling gripping nail-biting intense edge-of-your-seat "
    "edge-of-seat|edge of my seat|edge of your seat|nail biting|on the edge",
}.items():
    _single, *_phrases = _words.split("|")
    for _w in [*_single.split(), *(p.strip() for p in _phrases)]:
        MOOD_WORDS.setdefault(_w, _mood)
# "depressing" is more bleak than sad when asked for; "sad" keeps the tears.
MOOD_WORDS["depressing"] = "bleak"


# -- vibes: feelings, occasions and effects ----------------------------------------

# Members ask for what a film should do to them ("something to cry to", "make me think"), or for
# an occasion ("date night", "hangover", "rainy sunday"), far more than for catalog words. A vibe
# reads such a phrase as a recipe over what films carry: moods (weighted), catalog keywords that
# show it (weighted: "tearjerker" says "cry" more than "tragic" does), genres it leans to, and
# moods it goes against ("cozy" is never gory or bleak). Negated ("nothing heavy"), its moods are
# ruled out instead. Phrases of up to four words; typos of single words are corrected like moods.


class Vibe:
    """One feeling or occasion: `moods`, `keywords`, `genres` wanted (0..1 each), `avoid` moods.

    `topic`: the words are also what a film is about ("christmas", "summer"), so they are searched
    for in the catalog text too, as any other word would be."""

    __slots__ = ("avoid", "genres", "keywords", "label", "moods", "topic")

    def __init__(
        self, label: str, moods: str, keywords: str, genres: str = "", avoid: str = "", topic: bool = False
    ) -> None:
        self.label = label
        self.topic = topic
        self.moods = _weights(moods)
        self.keywords = _weights(keywords)
        self.genres = _weights(genres)
        self.avoid = _weights(avoid)


def _weights(spec: str) -> dict[str, float]:
    """'tearjerker=1|heartbreaking=.6|sad' -> {'tearjerker': 1.0, 'heartbreaking': 0.6, 'sad': 1.0}."""
    out: dict[str, float] = {}
    for item in spec.split("|"):
        name, _, weight = item.strip().partition("=")
        if name:
            out[name.strip()] = float(weight) if weight else 1.0
    return out


# id -> recipe. Keywords are the catalog's own (see data/catalog.jsonl); unknown ones cost nothing.
VIBES: dict[str, Vibe] = {
    "cry": Vibe(
        "a good cry",
        "sad=1",
        "tearjerker=1|heartbreaking=.6|tragic=.3|terminal illness=.4|bittersweet=.2|self-sacrifice=.3|sacrifice=.2",
        avoid="gory|scary|creepy",
    ),
    "scared": Vibe(
        "scary",
        "scary=1|creepy=.4",
        "frightening=.6|jump scares=.6|haunted house=.5|demonic possession=.5|possession=.4|ghost=.4|ghosts=.4"
        "|dread=.4|curse=.4|vengeful ghost=.5|slasher=.3|j-horror=.4|terrifying=.6|scary=.6",
        genres="horror",
        avoid="funny=.6|feelgood=.5",
    ),
    "laugh": Vibe(
        "funny",
        "funny=1|feelgood=.2",
        "hilarious=1|funny=.6|slapstick=.5|parody=.6|absurd=.4|british humor=.4|buddy comedy=.5|witty=.4"
        "|deadpan=.3|mockumentary=.4|zombie comedy=.4|quotable=.4",
        genres="comedy",
        avoid="bleak|sad=.6|gory=.5",
    ),
    "feelgood": Vibe(
        "feel-good",
        "feelgood=1|funny=.3",
        "feel-good=1|uplifting=.6|fun=.4|joyful=.6|crowd-pleaser=.5|heartwarming=.4|life-affirming=.5|whimsical=.3",
        avoid="bleak|sad=.6|gory|scary|creepy|tense=.4",
    ),
    "uplift": Vibe(
        "uplifting",
        "feelgood=.8|heartwarming=.5",
        "uplifting=1|inspiring=1|life-affirming=.8|inspiring teacher=.7|hope=.5|hopeful=.6"
        "|resilience=.5|perseverance=.6|redemption=.3|crowd-pleaser=.4|feel-good=.4|based on true story=.2"
        "|underdog=.3",
        avoid="bleak|gory|scary|creepy",
    ),
    "comfort": Vibe(
        "cozy",
        "feelgood=1|heartwarming=.7",
        "cozy=1|gentle=.7|heartwarming=.5|warm=.6|whimsical=.5|feel-good=.5|healing=.5|slow life=.6"
        "|food and cooking=.4|food=.4|cooking=.4|studio ghibli=.3|kindness=.4",
        avoid="bleak|gory|scary|creepy|tense=.8|sad=.5|mindbending=.4",
    ),
    "calm": Vibe(
        "calm",
        "heartwarming=.6|feelgood=.5|slowburn=.4",
        "gentle=1|cozy=.8|quiet=.6|healing=.6|slow life=.8|meditative=.5|warm=.4|contemplative=.3"
        "|food and cooking=.3|studio ghibli=.3|nature=.3",
        avoid="bleak|gory|scary|creepy|tense|sad=.5|mindbending=.5",
    ),
    "emotional": Vibe(
        "moving",
        "sad=.6|heartwarming=.5",
        "tearjerker=.6|heartbreaking=.5|bittersweet=.5|life-affirming=.4|devastating=.3|melodrama=.3|grief=.3",
        avoid="gory|scary",
    ),
    "haunting": Vibe(
        "haunting",
        "sad=.4|slowburn=.3|creepy=.2",
        "haunting=1|devastating=.5|heartbreaking=.4|melancholy=.5|poetic=.4|ambiguous=.3|unforgettable=.6"
        "|grief=.3|atmospheric=.3",
    ),
    "whimsical": Vibe(
        "whimsical",
        "feelgood=.5",
        "whimsical=1|magical=.8|magic=.5|fairy tale=.5|quirky=.4|imagination=.5|colorful=.3|studio ghibli=.4",
        genres="fantasy=.4",
        avoid="bleak|gory",
    ),
    "true": Vibe(
        "based on a true story",
        "",
        "based on true story=1|biopic=.6",
        genres="biography=.5",
    ),
    "trash": Vibe(
        "so bad it's good",
        "funny=.5|feelgood=.3",
        "cult classic=1|low budget=.6|over the top=.8|campy=.8|b-movie=1|parody=.4|absurd=.4",
    ),
    "acclaimed": Vibe(
        "acclaimed",
        "",
        "classic=1|masterpiece=1|palme d'or=1|landmark=.8|iconic=.7|influential=.6|cult classic=.4",
    ),
    "light": Vibe(
        "light, easy watch",
        "feelgood=1|funny=.6",
        "fun=.7|feel-good=.7|funny=.5|hilarious=.4|crowd-pleaser=.5|whimsical=.4|quirky=.3|buddy comedy=.3"
        "|romantic comedy=.3|cozy=.3",
        avoid="bleak|sad=.7|gory|scary|creepy|tense=.5|mindbending=.5|slowburn=.6",
    ),
    "party": Vibe(
        "fun with friends",
        "funny=1|feelgood=.6",
        "hilarious=.8|fun=.7|funny=.5|buddy comedy=.6|crowd-pleaser=.6|zombie comedy=.6|parody=.5|quotable=.5"
        "|cult classic=.3|slapstick=.4|action-packed=.2",
        avoid="bleak|sad=.6|slowburn=.7",
    ),
    "think": Vibe(
        "thought-provoking",
        "mindbending=.4",
        "thought-provoking=1|philosophical=1|existential=.9|cerebral=.8|moral dilemma=.8|allegory=.6"
        "|class allegory=.5|social satire=.5|satire=.4|class satire=.4|ambiguous=.4|artificial intelligence=.4"
        "|contemplative=.4|injustice=.3|what makes us human=.6|identity=.3",
        avoid="gory=.4",
    ),
    "mindbend": Vibe(
        "mind-bending",
        "mindbending=1",
        "mind-bending=1|twisty=.5|twist ending=.4|nonlinear=.4|time loop=.6|time travel=.3|dreams=.3"
        "|surreal=.3|paradox=.6|reverse chronology=.5|layered reality=.6|parallel realities=.6",
    ),
    "twisty": Vibe(
        "twisty",
        "mindbending=.6|tense=.3",
        "twist ending=1|twisty=.6|twist=.6|unreliable narrator=.6|whodunit=.3|nonlinear=.3|psychological thriller=.3",
    ),
    "weird": Vibe(
        "weird",
        "mindbending=.4|funny=.2",
        "surreal=1|absurd=.9|dreamlike=.7|experimental=.7|quirky=.5|art house=.4|provocative=.4|whimsical=.3"
        "|dark comedy=.2|genre mashup=.6|cult classic=.3",
    ),
    "trippy": Vibe(
        "trippy",
        "mindbending=.8",
        "surreal=1|dreamlike=1|dreams=.6|mind-bending=.6|hypnotic=.6|vivid colors=.5|colorful=.3"
        "|visually stunning=.3|psychedelic=1",
    ),
    "epic": Vibe(
        "epic",
        "",
        "epic=1|epic fantasy=1|historical epic=1|crime epic=.8|spectacle=.6|family saga=.4|blockbuster=.3"
        "|quest=.4|visually stunning=.3",
        genres="adventure=.3|war=.2|history=.2",
    ),
    "escape": Vibe(
        "escapist",
        "feelgood=.3",
        "epic fantasy=1|quest=.8|alternate worlds=.7|magic=.5|fairy tale=.5|adventure=.6|spectacle=.5"
        "|studio ghibli=.5|epic=.5|visually stunning=.4|space opera=.6|whimsical=.3",
        genres="fantasy=.6|adventure=.6",
        avoid="bleak|gory",
    ),
    "nostalgic": Vibe(
        "nostalgic",
        "heartwarming=.3",
        "nostalgia=1|memories=.7|coming of age=.5|childhood=.5|childhood friendship=.5|reunion=.4|bittersweet=.3"
        "|memory=.3|first love=.3|lost innocence=.3|1980s=.3|1950s=.2",
        avoid="gory|scary",
    ),
    "lonely": Vibe(
        "for a lonely night",
        "heartwarming=.5|feelgood=.2",
        "loneliness=1|unlikely friendship=.7|isolation=.4|melancholy=.4|gentle=.4|alienation=.3|friendship=.3"
        "|found family=.4|humane=.3",
        avoid="gory|scary|creepy",
    ),
    "beautiful": Vibe(
        "beautiful",
        "slowburn=.2",
        "visually stunning=1|poetic=.7|painterly=.7|watercolor=.6|colorful=.5|vivid colors=.5|stylish=.4"
        "|dreamlike=.4|atmospheric=.3|meditative=.3|lyrical=.6",
        avoid="gory=.5",
    ),
    "slow": Vibe(
        "slow and quiet",
        "slowburn=1",
        "slow burn=.6|quiet=.7|meditative=.8|contemplative=.8|understated=.5|gentle=.4|poetic=.4|minimalist=.5",
        avoid="gory=.5",
    ),
    "intense": Vibe(
        "intense",
        "tense=1",
        "intense=1|relentless=.8|suspense=.5|race against time=.6|claustrophobic=.5|action-packed=.4"
        "|cat and mouse=.5|survival=.4|real time=.4|tense=.5|thrilling=.6|electrifying=.6|suspenseful=.5",
        avoid="feelgood=.4|slowburn=.4",
    ),
    "sexy": Vibe(
        "sensual",
        "romantic=.8",
        "erotic=1|sensual=1|sexual content=.6|seduction=.7|forbidden love=.5|femme fatale=.5|passion=.6"
        "|love triangle=.3|infidelity=.3|intimate=.6",
        avoid="gory=.5",
    ),
    "date": Vibe(
        "romantic",
        "romantic=1|feelgood=.5",
        "romantic comedy=.8|romantic=.6|love story=.6|feel-good=.3|witty=.2|first love=.2",
        genres="romance=.6",
        avoid="bleak|gory|scary|creepy|sad=.4|tense=.5",
    ),
    "breakup": Vibe(
        "after a breakup",
        "feelgood=.8|funny=.6",
        "friendship=.5|feel-good=.5|funny=.3|hilarious=.3|found family=.3|buddy comedy=.4|free spirit=.4"
        "|female friendship=.5|breakup=.3",
        avoid="bleak|sad=.5|romantic=.3|gory",
    ),
    "angry": Vibe(
        "outrage at injustice",
        "bleak=.3",
        "injustice=1|infuriating=1|wrongful conviction=.6|corruption=.5|civil rights=.6|racism=.5"
        "|police brutality=.7|false accusation=.7|mob mentality=.7|sexual harassment=.6|political=.3"
        "|courtroom=.3|class divide=.3|abuse=.4",
    ),
    "grim": Vibe(
        "bleak",
        "bleak=1|sad=.3",
        "bleak=.6|harrowing=.8|devastating=.6|unflinching=.6|nihilistic=.5|downward spiral=.7|disturbing=.3"
        "|tragic=.3|hopeless=.6|raw=.3",
        avoid="feelgood|funny=.5",
    ),
    "wholesome": Vibe(
        "wholesome",
        "heartwarming=1|feelgood=.5",
        "heartwarming=1|gentle=.7|kindness=.7|warm=.5|family friendly=.4|feel-good=.4|healing=.4|humane=.4",
        avoid="bleak|gory|scary|creepy|sad=.3",
    ),
    "halloween": Vibe(
        "spooky",
        "scary=.8|creepy=.5",
        "haunted house=.6|ghost=.5|ghosts=.5|witches=.5|witch=.5|monster=.4|monsters=.4|zombies=.4"
        "|slasher=.5|vampire=.4|vampires=.4|halloween=.6|curse=.3",
        genres="horror",
        topic=True,
    ),
    "christmas": Vibe(
        "festive",
        "feelgood=.3|heartwarming=.3",
        "christmas=1|new year's eve=.8|winter=.3|snow=.3",
        avoid="gory|bleak",
        topic=True,
    ),
    "summer": Vibe(
        "summery",
        "feelgood=.4",
        "summer=1|beach=.6|road trip=.5|island=.3|coming of age=.3|feel-good=.4|seaside town=.5",
        avoid="bleak|gory",
        topic=True,
    ),
}

# What people type -> vibe. Checked before MOOD_WORDS, so "comfort", "uplifting", "make me think"
# bring their keywords and what they rule out, not a bare mood.
VIBE_WORDS: dict[str, str] = {}
for _vibe, _words in {
    "cry": "weepy weepie weepies tearjerker tearjerkers tear-jerker tear-jerkers tearjerking bawl bawling sob "
    "sobbing sobfest cry crying cries weep weeping tissues waterworks teary tear-jerking cathartic|tear jerker|"
    "make me cry|made me cry|need a good cry|good cry|ugly cry|ugly crying|sob fest|cry my eyes out|"
    "bawl my eyes out|sob my eyes out|"
    "cry to|want to cry|wanna cry|need to cry|tear up|box of tissues|grab the tissues|sob story|good weep",
    "scared": "scared frightened spooked terrify terrified horrified petrified shook|be scared|"
    "scare me|scare the hell out of me|scare the shit out of me|scare the crap out of me|freak me out|"
    "freaked out|give me nightmares|sleep with the lights on|lights on|make me scream|keep me up at night",
    "laugh": "laugh laughs laughing lmao lmfao rofl giggle giggles chuckle chuckles hilarious funniest "
    "hysterical sidesplitting side-splitting|a laugh|need a laugh|make me laugh|laugh out loud|belly laugh|"
    "crack me up|cracks me up|laugh my ass off|comedy gold|funny as hell|pee my pants|in stitches",
    "feelgood": "feel-good feelgood happy cheerful cheery upbeat joyful joyous jolly sunny smile smiles "
    "heartening delightful charming|feel good|feelgood movie|good mood|good vibes|happy vibes|put me in a good mood|"
    "make me smile|make me happy|pick me up|pick-me-up|cheer me up|cheer up|bad day|rough day|shit day|"
    "crappy day|awful day|terrible day|tough day|bad week|rough week|long week|feeling down|feeling low|"
    "feeling blue|im sad|i'm sad|i am sad|cheer up|cheering up|need cheering up|cheer|"
    "depressed|feeling depressed|i'm depressed|im depressed|when you're depressed|when i'm depressed",
    "uplift": "uplifting inspiring inspirational inspire motivating motivational motivate hopeful "
    "life-affirming empowering triumphant|life affirming|restore my faith in humanity|"
    "feel inspired|get motivated|true story that inspires",
    "comfort": "cozy cosy comfy comfort comforting cocoon snug hygge lazy hug|comfort film|comfort movie|"
    "comfort watch|comfort food|rainy day|rainy sunday|rainy night|rainy afternoon|lazy sunday|"
    "sunday afternoon|sunday morning|cold night|winter night|snowy night|snow day|snowed in|snowy|sick day|"
    "sick in bed|home sick|under the weather|cup of tea|blanket|warm hug|a hug|like a hug|big hug",
    "calm": "chill chilled chillax calm calming soothing relaxing relax relaxed unwind mellow peaceful serene "
    "tranquil stressed anxious overwhelmed exhausted decompress|wind down|winding down|wind down to|"
    "laid back|laid-back|low key|low-key|lowkey|burnt out|burned out|after work|long day|before bed|"
    "fall asleep to|switch off|so tired|too tired|i'm tired|im tired|stressful day|stressful week",
    "light": "light lighthearted light-hearted breezy easy undemanding popcorn fluffy fluff "
    "hangover hungover brainless mindless dumb stupid bored|light watch|brain dead|easy watch|easy watching|"
    "easy viewing|easy going|"
    "easy-going|nothing heavy|not heavy|not too heavy|nothing too heavy|nothing serious|not serious|"
    "turn my brain off|turn off my brain|switch my brain off|brain off|no brainer|hung over|long flight|"
    "on a plane|plane ride|flight|background|in the background|while i cook|while cooking|not too deep|"
    "while i work|while working|while studying|while i study|while i clean|while cleaning|while i eat|"
    "while eating|i'm bored|im bored|dumb fun|stupid funny",
    "party": "sleepover slumber|sleepover with friends|slumber party|with friends|with my friends|with the boys|"
    "with the girls|with the lads|girls night|girls' night|girls night in|guys night|boys night|lads night|"
    "game night|pizza night|movie night with friends|group of friends|watch party|party",
    "think": "thought-provoking thoughtprovoking philosophical existential intellectual profound deep "
    "thinky meaningful smart intelligent cerebral|thought provoking|make me think|makes you think|"
    "make you think|made me think|makes me think|get me thinking|food for thought|big questions|"
    "something deep|something smart|think about",
    "mindbend": "mind-bending mindbending mind-blowing mindblowing mindfuck brain-melting brainmelting "
    "mindbendy puzzle puzzling confusing head-scratcher|mind bending|mind blowing|mind-bendy|"
    "mind bendy|mind fuck|mess with my head|messes with your head|mess with your head|messes with my head|"
    "mess with me|blow my mind|blew my mind|melt my brain|melts my brain|brain melting|brain bending|"
    "head scratcher",
    "twisty": "twisty twists twist|plot twist|plot twists|twist ending|twist endings|keep me guessing|"
    "didn't see it coming|didnt see it coming|never saw it coming|full of twists",
    "weird": "weird weirder weirdest strange strangest bizarre odd oddball offbeat surreal "
    "surrealist absurd absurdist quirky eccentric kooky wacky wtf unhinged batshit avant-garde experimental "
    "unconventional outlandish|out there|off the wall|really weird|super weird|something weird|"
    "something different|something unusual|unusual|fever dream",
    "trippy": "trippy psychedelic hallucinatory hallucinogenic dreamlike dreamy acid|fever dream|on acid|"
    "while high|when high|watch high|watch while high|getting high|get high|stoned|stoner",
    "epic": "epic epics sweeping grand grandiose saga spectacle spectacular monumental|larger than life|"
    "big budget|big screen|sweeping epic|grand scale",
    "escape": "escapism escapist immersive|get lost in|lose myself in|transport me|another world|"
    "other worlds|far away|whisk me away|take me away",
    "nostalgic": "nostalgic nostalgia throwback reminisce reminiscing retro homesick|good old days|old times|"
    "my childhood|like childhood|feels like childhood|takes me back|take me back|missing home|miss home",
    "lonely": "lonely loneliness lonesome alone isolated solitude|by myself|on my own|feeling alone|"
    "feel less alone|feeling lonely|watch alone|watching alone",
    "beautiful": "beautiful beautifully gorgeous stunning breathtaking lush painterly visually "
    "cinematography aesthetic|eye candy|visually stunning|beautifully shot|beautiful to look at|"
    "good cinematography|great cinematography",
    "slow": "slow slow-paced unhurried languid meditative contemplative quiet patient|slow paced|"
    "slow and quiet|quiet and slow|slow cinema|takes its time",
    "intense": "intense intensity adrenaline adrenalin heart-pounding pulse-pounding white-knuckle nerve-wracking "
    "nervewracking stressful gripping thrilling nail-biting|heart pounding|pulse pounding|"
    "white knuckle|nerve wracking|edge of my seat|edge of your seat|on the edge of my seat|"
    "edge-of-your-seat|edge-of-seat|nail biting|high stakes|adrenaline rush|keep me on edge",
    "sexy": "sexy steamy sensual sultry erotic seductive passionate raunchy spicy|sex scenes|hot and steamy",
    "date": "date valentine valentines valentine's anniversary cuddle cuddling snuggle snuggling|valentines day|"
    "valentine's day|valentine day|"
    "date night|date movie|first date|romantic evening|romantic night|romantic evening in|with my girlfriend|"
    "with my boyfriend|with my partner|with my wife|with my husband|with my gf|with my bf|with my date|"
    "with my crush|with my other half|with bae|for a date|couples night|couple night|night in with",
    "breakup": "breakup break-up heartbroken dumped|after a breakup|after my breakup|got dumped|"
    "just got dumped|broke up|break up|just broke up|getting over|get over my ex|over my ex|my ex",
    "angry": "angry anger rage enraging infuriating furious outraged outrage outrageous|make me angry|"
    "makes me angry|make my blood boil|blood boil|fired up|injustice",
    "grim": "depressing heavy harrowing grim gutting soul-crushing miserable downer bummer nihilistic hopeless "
    "soul crushing|gut punch|gut-punch|tough watch|hard to watch|hard watch|"
    "ruin my day|ruin my night|destroy me|wreck me|emotionally devastating|dark and depressing",
    "wholesome": "wholesome pure lovely kindness adorable cute|warm and fuzzy|warm fuzzy|feel warm|faith in humanity",
    "emotional": "emotional emotionally|feel something|make me feel something|make me feel|emotional rollercoaster|"
    "rollercoaster|emotional roller coaster|roller coaster of emotions|hit me in the feels|the feels|all the feels",
    "haunting": "haunting powerful unforgettable lingering|stays with you|stay with you|stays with me|"
    "stay with me|haunt me|haunts you|haunt you|will haunt me|linger|lingers|sticks with you|stick with me",
    "whimsical": "whimsical magical enchanting charming|fairy tale vibes|full of wonder|sense of wonder",
    "true": "|true story|based on a true story|based on true story|real story|real events|true events|"
    "actually happened|really happened|inspired by true events",
    "trash": "trashy campy schlocky schlock|guilty pleasure|so bad its good|so bad it's good|so bad that it's good|"
    "b movie|b-movie|cheesy fun",
    "acclaimed": "masterpiece masterpieces acclaimed essential greatest timeless|critically acclaimed|must see|"
    "must-see|must watch|must-watch|all time|all-time|of all time|greatest of all time|best ever|"
    "everyone should see|everyone should watch|award winning|award-winning|oscar winning|oscar-winning",
    "halloween": "halloween|spooky season|halloween night|halloween party|october night",
    "christmas": "christmas xmas christmassy festive christmasy|christmas eve|christmas day|holiday season|"
    "new year's eve|new years eve|the holidays|holiday movie",
    "summer": "summer summery summertime beach|summer vibes|summer night|beach day|hot day|heat wave",
}.items():
    _single, *_phrases = _words.split("|")
    for _w in [*_single.split(), *(p.strip() for p in _phrases)]:
        VIBE_WORDS.setdefault(_w, _vibe)
VIBE_LABELS: dict[str, str] = {v: vibe.label for v, vibe in VIBES.items()}
# When, not what: "a cozy night in", "sunday evening". Read past like filler.
OCCASION_FILLER = _wordset(
    "night nights evening evenings weekend afternoon morning tonite tonight's sunday saturday friday day days "
    "season feels feeling mood moment while work material actually ever real truly totally "
    "literally seriously honestly af rn atm after"
)

# genre id (as the catalog spells it) -> words people type
GENRE_WORDS: dict[str, str] = {}
for _genre, _words in {
    "drama": "drama dramas dramatic",
    "comedy": "comedy comedies comedic-film romcom rom-com romcoms rom-coms sitcom",
    "horror": "horror horrors",
    "thriller": "thriller thrillers",
    "mystery": "mystery mysteries",
    "crime": "crime",
    "science fiction": "sci-fi scifi sf science-fiction",
    "romance": "romance romances",
    "action": "action",
    "fantasy": "fantasy fantasies fairytale fairy-tale",
    "war": "war",
    "history": "history historical period-piece",
    "family": "family kids children kid-friendly",
    "adventure": "adventure adventures",
    "biography": "biography biopic biopics biographical",
    "animation": "animation animated cartoon cartoons",
    "music": "music musician",
    "western": "western westerns",
    "musical": "musical musicals",
    "sport": "sport sports",
    "documentary": "documentary documentaries doc docs",
}.items():
    for _w in _words.split():
        GENRE_WORDS[_w] = _genre
GENRE_PHRASES: dict[str, tuple[str, ...]] = {
    "science fiction": ("science fiction", "sci fi"),
    "history": ("period piece", "period drama"),
    "romance": ("rom com",),
}
GENRE_LABELS: dict[str, str] = {"science fiction": "sci-fi"}

# Words that bring more than one thing: (country codes, genres, moods).
COMBOS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "anime": (("JP",), ("animation",), ()),
    "k-drama": (("KR",), ("drama",), ()),
    "kdrama": (("KR",), ("drama",), ()),
    "k drama": (("KR",), ("drama",), ()),
    "k-dramas": (("KR",), ("drama",), ()),
    "kdramas": (("KR",), ("drama",), ()),
    "k-horror": (("KR",), ("horror",), ()),
    "j-horror": (("JP",), ("horror",), ()),
    "jhorror": (("JP",), ("horror",), ()),
    "giallo": (("IT",), ("horror",), ()),
    "romcom": ((), ("romance", "comedy"), ()),
    "rom-com": ((), ("romance", "comedy"), ()),
    "rom com": ((), ("romance", "comedy"), ()),
    "romcoms": ((), ("romance", "comedy"), ()),
    "rom-coms": ((), ("romance", "comedy"), ()),
    "tearjerker": ((), (), ("sad",)),
}

# Languages a country's films are usually in: a French-language film from
# Belgium still answers "french".
COUNTRY_LANGUAGES: dict[str, tuple[str, ...]] = {
    "KR": ("ko",),
    "JP": ("ja",),
    "FR": ("fr",),
    "IN": ("hi", "ta", "te", "ml", "bn"),
    "CN": ("zh",),
    "HK": ("cn",),
    "ES": ("es",),
    "IT": ("it",),
    "DE": ("de",),
    "IR": ("fa",),
    "TR": ("tr",),
    "TH": ("th",),
    "SE": ("sv",),
    "DK": ("da",),
    "NO": ("no",),
    "PL": ("pl",),
    "RU": ("ru",),
    "NG": ("yo", "ig"),
    "BR": ("pt",),
    "PT": ("pt",),
}

NEGATIONS = _wordset(
    "not no without non nothing never avoid minus less zero isnt isn't dont don't nor aint ain't doesnt doesn't "
    "arent aren't wasnt wasn't nothin excluding except exclude skip w/o"
)
# Words that keep a negation alive: "not too gory", "no more horror".
NEGATION_GLUE = _wordset(
    "too to very so overly any more a an the of or nor and really that about much super all kind sort type "
    "anything something stuff films movies with want wanna need watch see feel like"
)

FILLER = _wordset(
    """
    a an the some something somethin smth any anything me my i i'm im we us our you your please pls plz
    can could would will should might recommend recommendation recommendations suggest suggestion suggestions
    reccomend recomend recommand give show find want wanna need looking look for to watch see tonight today
    movie movies film films flick flicks cinema picture pictures one ones good great best nice decent top
    is are be was it its it's that this these those which what who how kind sort type of with and or in on
    at by from about also maybe perhaps really very quite pretty just kinda sorta so too lot lots bit little
    more most tell know hey hi hello thanks thank yo ok okay bot moviebot pick picks help do does did
    have has had got get something's watchable fan fans into lol haha yes like likes liked i'd id enjoy
    enjoyed whats what's stuff things thing cant can't couldnt cannot vibes vibe vibez else next
    """
)

# Review words that say how much someone liked a film, not what it is like.
REVIEW_STOP = _wordset(
    "about after again almost always another because before being better cried could didn't every "
    "everyone first found going great heart horrible later little loved making movie movies never other "
    "people really seeing seems since still story their there these thing think those though times "
    "until watch watched watching where which while whole without would years absolutely amazing "
    "beautiful brilliant favourite favorite film films masterpiece perfect scene scenes ending"
)

# Words that stop a title after "like": "like parasite but funnier".
TITLE_STOPS = _wordset(
    "but with from and only that except without not no in set made than or what which pls please next"
)
# "similar" as people type it: similair, similiar, simular, simmilar, smilar (never "simpler").
_SIMILAR = r"s[iy]?m+[aeiu]?l+[aei]{1,2}r"
# Ways to ask for films like a named one, with the title after: "like X", "movies similar to X",
# "if I liked X", "something in the vein of X", "in the style of X", "for fans of X".
SIMILAR_RE = re.compile(
    r"\b(?:(?:movies?|films?|something|anything|stuff)\s+)?(?:"
    rf"{_SIMILAR}(?:\s+(?:vibes?|feel|energy|mood))?\s+(?:to|as)|(?:like|liek|lik|lke)|such\s+as|"
    r"in\s+the\s+(?:vein|style|spirit|mou?ld|tradition)\s+of|"
    r"reminds?\s+me\s+of|along\s+the\s+lines\s+of|same\s+as|the\s+likes\s+of|(?:for\s+)?fans?\s+of|"
    r"(?:if|since|because|cause|cuz|as)\s+(?:i|you|u|we)(?:\s+(?:really|just))?\s+"
    r"(?:liked|loved|enjoyed|like|love|enjoy|dug|adored)|"
    r"i\s+(?:really\s+)?(?:liked|loved|enjoyed|adored)(?=\s)"
    r")\s+",
    re.IGNORECASE,
)
# The same with the title before: "Parasite vibes", "Oldboy-style", "an Amélie-esque film", "Heat energy".
SIMILAR_AFTER_RE = re.compile(r"(?:-|\s+)(?:vibes?|vibez|style|styled|esque|ish|energy|type|kinda)\b", re.IGNORECASE)
# A request that opens on a title and shifts it: "toy story but sadder", "coco but less sad".
BUT_RE = re.compile(r"\s+(?:but|yet|only|except)\s+", re.IGNORECASE)

# -- moods from catalog facts --------------------------------------------------

# catalog keyword -> {mood: weight}; combined noisy-or, so two hints beat one.
KEYWORD_MOODS: dict[str, dict[str, float]] = {
    "tearjerker": {"sad": 1.0},
    "heartbreaking": {"sad": 0.9},
    "devastating": {"sad": 0.8, "bleak": 0.5},
    "tragic": {"sad": 0.8},
    "grief": {"sad": 0.6},
    "melancholy": {"sad": 0.6, "slowburn": 0.2},
    "bittersweet": {"sad": 0.45, "heartwarming": 0.3},
    "terminal illness": {"sad": 0.6},
    "sacrifice": {"sad": 0.3},
    "longing": {"sad": 0.3, "romantic": 0.4},
    "heartwarming": {"heartwarming": 1.0, "feelgood": 0.4},
    "healing": {"heartwarming": 0.5},
    "gentle": {"heartwarming": 0.5, "slowburn": 0.3},
    "feel-good": {"feelgood": 1.0, "heartwarming": 0.4},
    "uplifting": {"feelgood": 0.9},
    "fun": {"feelgood": 0.7, "funny": 0.3},
    "funny": {"funny": 1.0, "feelgood": 0.3},
    "hilarious": {"funny": 1.0},
    "dark comedy": {"funny": 0.6, "bleak": 0.3},
    "absurd": {"funny": 0.5},
    "quirky": {"funny": 0.4, "feelgood": 0.3},
    "satire": {"funny": 0.4},
    "class satire": {"funny": 0.3},
    "gory": {"gory": 1.0},
    "non-gory": {"gory": -1.0},
    "brutal": {"gory": 0.5, "bleak": 0.3},
    "violent": {"gory": 0.5},
    "slasher": {"gory": 0.6, "scary": 0.6},
    "creepy": {"creepy": 1.0, "scary": 0.4},
    "disturbing": {"creepy": 0.7, "bleak": 0.4},
    "dread": {"creepy": 0.6, "scary": 0.5, "tense": 0.3},
    "atmospheric": {"creepy": 0.35, "slowburn": 0.3},
    "haunted house": {"scary": 0.8, "creepy": 0.5},
    "ghost": {"scary": 0.6, "creepy": 0.5},
    "demonic possession": {"scary": 0.9},
    "possession": {"scary": 0.7},
    "folk horror": {"creepy": 0.8, "scary": 0.5},
    "psychological horror": {"creepy": 0.7, "scary": 0.6},
    "found footage": {"scary": 0.5},
    "zombies": {"scary": 0.4, "gory": 0.4},
    "vampire": {"scary": 0.3},
    "monster": {"scary": 0.4},
    "terrifying": {"scary": 1.0},
    "scary": {"scary": 1.0},
    "mind-bending": {"mindbending": 1.0},
    "twist ending": {"mindbending": 0.5, "tense": 0.2},
    "twist": {"mindbending": 0.5},
    "twisty": {"mindbending": 0.7},
    "nonlinear": {"mindbending": 0.6},
    "surreal": {"mindbending": 0.6},
    "cerebral": {"mindbending": 0.6},
    "dreams": {"mindbending": 0.5},
    "time travel": {"mindbending": 0.5},
    "time loop": {"mindbending": 0.7},
    "memory": {"mindbending": 0.3},
    "identity": {"mindbending": 0.3},
    "ambiguous": {"mindbending": 0.3, "slowburn": 0.2},
    "slow burn": {"slowburn": 1.0},
    "quiet": {"slowburn": 0.6},
    "meditative": {"slowburn": 0.8},
    "understated": {"slowburn": 0.5},
    "bleak": {"bleak": 1.0},
    "dark": {"bleak": 0.6},
    "gritty": {"bleak": 0.5},
    "nihilistic": {"bleak": 0.8},
    "holocaust": {"bleak": 0.5, "sad": 0.5},
    "romantic": {"romantic": 1.0},
    "first love": {"romantic": 0.8},
    "forbidden love": {"romantic": 0.8},
    "love story": {"romantic": 0.9},
    "erotic": {"romantic": 0.4},
    "tense": {"tense": 1.0},
    "suspense": {"tense": 0.8},
    "suspenseful": {"tense": 0.8},
    "intense": {"tense": 0.8},
    "cat and mouse": {"tense": 0.7},
    "race against time": {"tense": 0.7},
    "claustrophobic": {"tense": 0.6},
    "paranoia": {"tense": 0.5, "creepy": 0.3},
    "survival": {"tense": 0.5},
}
GENRE_MOODS: dict[str, dict[str, float]] = {
    "horror": {"scary": 0.7, "creepy": 0.3},
    "comedy": {"funny": 0.7, "feelgood": 0.2},
    "romance": {"romantic": 0.8},
    "thriller": {"tense": 0.6},
    "drama": {"sad": 0.12},
    "family": {"heartwarming": 0.3, "feelgood": 0.3},
    "animation": {"feelgood": 0.2},
    "mystery": {"mindbending": 0.2, "tense": 0.2},
    "war": {"bleak": 0.3, "sad": 0.2},
    "musical": {"feelgood": 0.4},
}

# -- moods from what reviewers wrote -----------------------------------------

# review word -> (mood, weight). Superlatives weigh more: "the saddest movie".
REVIEW_WORDS: dict[str, tuple[str, float]] = {}
for _mood, _spec in {
    "sad": "sad:1 sadness:1 saddest:2 cry:1 cried:1 crying:1 cries:1 tears:1 tear:0.5 tearjerker:2 sob:1 "
    "sobbing:1.5 sobbed:1.5 weep:1 wept:1 weeping:1 heartbreaking:1.5 heartbroken:1 heartbreak:1 tragic:1 "
    "tragedy:1 tissues:1.5 tissue:1 devastating:1 devastated:1 melancholy:0.7 touching:0.6 moving:0.5 "
    "grief:0.7 mourning:0.7 tearful:1 teary:1 weepy:1",
    "heartwarming": "heartwarming:2 wholesome:1.5 warm:0.6 touching:0.6 sweet:0.6 tender:0.8 hope:0.4 "
    "loving:0.5 kindness:0.8 heartfelt:1",
    "feelgood": "uplifting:1.5 cheerful:1 joyful:1 joy:0.7 delightful:1 charming:0.8 fun:0.8 feel-good:2 "
    "feelgood:2 happy:0.5 smile:0.8 smiling:0.8",
    "funny": "funny:1.5 hilarious:2 laugh:1 laughed:1 laughing:1 laughs:1 lol:1 comedy:0.5 witty:1 "
    "jokes:1 joke:0.7 humor:1 humour:1 funniest:2",
    "scary": "scary:1.5 scariest:2 terrifying:2 terrified:1.5 frightening:1.5 scared:1 scream:0.7 "
    "nightmares:1.5 jumpscare:1 jumpscares:1 horror:0.5 spooky:1 chilling:1",
    "creepy": "creepy:1.5 eerie:1.5 unsettling:1.5 disturbing:1 uncanny:1 unnerving:1.5 dread:1",
    "gory": "gory:2 gore:2 blood:0.7 bloody:1 brutal:1 gruesome:1.5 violent:1 violence:0.7 splatter:1.5",
    "mindbending": "mind-bending:2 mindbending:2 twist:0.7 twists:0.7 confusing:1 puzzle:1 cerebral:1 "
    "trippy:1.5 rewatch:0.5 surreal:1 layered:0.7 mind-blowing:1.5",
    "slowburn": "slow:0.7 slow-burn:2 patient:0.8 meditative:1.5 quiet:0.6 contemplative:1.5 pacing:0.5",
    "bleak": "bleak:1.5 grim:1 hopeless:1.5 nihilistic:1.5 depressing:1.2 dark:0.5 bleakest:2",
    "romantic": "romantic:1.5 romance:1 love:0.3 chemistry:1 swoon:1.5 kiss:0.7",
    "tense": "tense:1.5 suspense:1 suspenseful:1.5 gripping:1 thrilling:1 edge:0.5 intense:1 nail-biting:1.5",
}.items():
    for _item in _spec.split():
        _w, _, _weight = _item.partition(":")
        REVIEW_WORDS.setdefault(_w, (_mood, float(_weight)))
# Words that count for two moods.
REVIEW_EXTRA: dict[str, tuple[str, float]] = {"touching": ("heartwarming", 0.6), "moving": ("heartwarming", 0.4)}

WORD_RE = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


def review_mood_hits(text: str) -> dict[str, float]:
    """Weighted mood words in one review, e.g. {'sad': 7.5, 'heartwarming': 1.2}."""
    hits: dict[str, float] = {}
    for w in WORD_RE.findall(text.lower()):
        hit = REVIEW_WORDS.get(w)
        if hit is not None:
            hits[hit[0]] = hits.get(hit[0], 0.0) + hit[1]
            extra = REVIEW_EXTRA.get(w)
            if extra is not None:
                hits[extra[0]] = hits.get(extra[0], 0.0) + extra[1]
    return hits


def mood_words_for(mood: str) -> frozenset[str]:
    """Review words that show a mood: used to pick the sentence worth quoting."""
    words = {w for w, (m, _) in REVIEW_WORDS.items() if m == mood}
    words |= {w for w, (m, _) in REVIEW_EXTRA.items() if m == mood}
    return frozenset(words)


# -- audiences and acclaim ----------------------------------------------------

# Catalog keywords that mark a film as acclaimed: the starting point of a new community.
ACCLAIM_KEYWORDS: dict[str, float] = {
    "classic": 1.0,
    "masterpiece": 1.0,
    "palme d'or": 1.0,
    "landmark": 0.8,
    "iconic": 0.7,
    "oscar winner": 0.7,
    "cult classic": 0.6,
    "influential": 0.6,
    "award-winning": 0.6,
    "iconic villain": 0.4,
    "iconic score": 0.4,
}

# Catalog keywords that make a film wrong for children and for a night with one's parents:
# gore, sex, drugs, cruelty, and horror's own sub-genres.
ADULT_KEYWORDS = frozenset(
    [
        "violent",
        "gory",
        "disturbing",
        "harrowing",
        "brutal",
        "torture",
        "erotic",
        "slasher",
        "cannibalism",
        "cannibal",
        "cannibals",
        "drugs",
        "addiction",
        "heroin",
        "suicide",
        "abuse",
        "holocaust",
        "unflinching",
        "cruelty",
        "demonic",
        "demons",
        "demon",
        "possession",
        "occult",
        "zombies",
        "vampire",
        "vampires",
        "nihilistic",
        "provocative",
    ]
) | frozenset(
    [
        "serial killer",
        "sex worker",
        "suicide attempt",
        "domestic violence",
        "psychological horror",
        "folk horror",
        "demonic possession",
        "masked killer",
        "supernatural killer",
        "child murderer",
        "rwandan genocide",
        "drug lord",
        "heroic bloodshed",
        "police brutality",
        "sexual harassment",
        "horror comedy",
        "j-horror",
        "body horror",
        "satanic cult",
        "police violence",
        "found footage",
        "haunted house",
    ]
)
# Who a film is fine for, as the starter catalog says it for every film: "family friendly" (all
# ages), or what makes it grown-up. A film carrying any of these is judged by them rather than
# guessed from its genres and theme keywords: ParaNorman-like "zombies" or "haunted house" for
# children are family friendly, and a quiet drama about adultery is "mature themes" without being
# horror. Imported films without them fall back to the guess (`ADULT_KEYWORDS`, genres, moods).
FAMILY_FRIENDLY = "family friendly"
GROWN_UP_KEYWORDS = frozenset(["violent", "gory", "sexual content", "drug use", "disturbing", "frightening"])
AUDIENCE_KEYWORDS = GROWN_UP_KEYWORDS | {FAMILY_FRIENDLY, "mature themes"}
# What makes a film grim for a teenager (shown, but not offered first).
GRIM_KEYWORDS = frozenset(["gory", "disturbing"])
# Too much even for a teenager.
EXPLICIT_KEYWORDS = frozenset(["gory", "erotic", "torture", "cannibalism", "sex worker"])
# What "for adults only" asks for first.
ADULTS_ONLY_KEYWORDS = EXPLICIT_KEYWORDS | {"sexual content"}
# Genres a child should not be handed without a grown-up choosing (teens and families may).
KIDS_EXCLUDED_GENRES = frozenset({"horror", "thriller", "crime", "war"})
KIDS_GENRES = {"family": 1.0, "animation": 0.4, "adventure": 0.15, "fantasy": 0.15, "comedy": 0.1}
# What "a horror movie my kid can watch" can mean: ghosts and monsters, without the horror.
SPOOKY_KEYWORDS = frozenset(
    [
        "ghost",
        "ghosts",
        "monster",
        "monsters",
        "witch",
        "witches",
        "spirits",
        "supernatural",
        "creatures",
        "haunted",
        "halloween",
        "curse",
        "afterlife",
        "yokai",
        "vampires",
        "werewolves",
        "zombies",
    ]
) | frozenset(["day of the dead", "folk tale", "dark fairy tale", "haunted house"])
# Words inside keywords that make a film spooky: "forest spirit", "were-rabbit", "young witch".
SPOOKY_WORDS = frozenset(
    ["spirit", "spirits", "ghost", "ghosts", "witch", "monster", "monsters", "were-rabbit", "werewolf", "yokai"]
)
