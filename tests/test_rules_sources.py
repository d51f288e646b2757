"""Source hygiene over every rule file (docs/rules-format.md, "Sources and tiers").

Every source carries a tier; the record's confidence never claims more than its sources allow
(high needs a primary source; a summary alone is at most medium; secondary sources alone are at
most medium when two agree and low otherwise); banned hosts (blogs, forums, mirrors, content farms,
raw-IP addresses, free site builders) never appear. Each failure names the file, the rule id and
the URL, one test per rule file so a report can say which file still fails.
"""

from __future__ import annotations

import ipaddress
import tomllib
from urllib.parse import urlsplit

import pytest

from core import resources_dir
from core.rules import TIERS

RULES_DIR = resources_dir() / "rules"
FILES = sorted(p.relative_to(RULES_DIR).as_posix() for p in RULES_DIR.rglob("*.toml"))

# Hosts (or a suffix of the host after a dot) that are never a source, with the reason said.
BANNED_HOSTS = {
    # blogs
    "blogspot.com": "blog", "wordpress.com": "blog",
    # forums
    "studentdoctor.net": "forum", "reddit.com": "forum", "allnurses.com": "forum", "medforums.org": "forum",
    # mirrors and document dumps (copies of someone else's page or PDF)
    "github.com": "mirror", "githubusercontent.com": "mirror", "docslib.org": "mirror", "scribd.com": "mirror",
    "5y1.org": "mirror", "documentine.com": "mirror", "docksci.com": "mirror", "genderi.org": "mirror",
    "fill.io": "mirror", "docplayer.net": "mirror", "vdocuments.net": "mirror", "fdocuments.us": "mirror",
    "pdfslide.us": "mirror", "yumpu.com": "mirror", "careersdocbox.com": "mirror", "docstoc.com": "mirror",
    "vsim-test.laerdalblr.in": "mirror (a test server copying Laerdal's pages)",
    "d1tvxue8o4w0fl.cloudfront.net": "mirror (Casetext's CDN copy of its statute pages)",
    # content farms (machine-written or off-topic sites that copy other pages)
    "eagleh1688.com": "content farm", "visualfoodie.com": "content farm", "ora.it.com": "content farm",
    "biologyinsights.com": "content farm", "ambushcharters.com": "content farm", "eobjstudio.com": "content farm",
    "miraitalk.com": "content farm", "people.howstuffworks.com": "content farm",
    # the same generated "recipe" template as visualfoodie (a persona who explains licensing law as cooking)
    "winenfood.com": "content farm", "eatsip365.com": "content farm",
    # machine-written sites: AI summaries of meetings and bills ("This article was created by AI summarizing
    # key points discussed. AI makes mistakes"), not the record they summarise
    "citizenportal.ai": "machine-written (AI summaries of government meetings)",
    # numbered sister sites republishing one article set under the same paths and ids, machine-translated
    # (265health.com's copy of article ...86902, "Michigan medical license requirements", is in Japanese)
    "222health.com": "copy farm", "265health.com": "copy farm",
    # one generated text per state, the state's name and numbers swapped in: every page has the same headings
    # ("Eligibility and Educational Requirements for <State> Physicians", "Initial Filing and Documentation",
    # "Direct Support and Administrative Help"), the same hedged wording ("typically", "generally") and the
    # same "2-3 month processing window"; no author, date or source (Colorado, Nevada, Oklahoma pages read
    # 2026-12-02)
    "medical-license-lookup.com": "machine-written (one template text per state)",
    # a bill-tracking aggregator: its bill summaries are unsigned and undated, written anew for each bill
    # version (two different summaries of Arkansas SB 101 are stored), in the generated "The bill amends ...
    # Additionally ... Overall, this legislation aims to" form, and a market survey of bill trackers names
    # FastDemocracy among those offering AI-generated summaries; the legislature's own page is the source
    "fastdemocracy.com": "machine-written (unsigned generated bill summaries of an aggregator)",
    # a bill page that is only a labelled "AI Summary" of the bill plus its caption (Oklahoma HB 2050, read
    # 2026-12-02). BillTrack50 is not banned: its pages copy the legislature's caption and history, which are a
    # source; the "AI Summary" block on the same page is not
    "vulcanbills.com": "machine-written (bill pages labelled 'AI Summary')",
    # free site builders
    "pages.dev": "free site host", "wixsite.com": "free site host",
}


def banned_reason(url: str) -> str | None:
    """Why `url` may not be a source, or None when it may."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        ipaddress.ip_address(host)
        return "raw-IP address"
    except ValueError:
        pass
    for banned, why in BANNED_HOSTS.items():
        if host == banned or host.endswith("." + banned):
            return why
    if "blog" in host:
        return "blog"
    if any("blog" in seg.lower() for seg in parts.path.split("/")):
        return "blog"
    return None


def confidence_ceiling(tiers: list[str]) -> str:
    """The most confidence these source tiers can carry."""
    if "primary" in tiers:
        return "high"
    if "summary" in tiers:
        return "medium"
    return "medium" if tiers.count("secondary") >= 2 else "low"


RANK = {"low": 0, "medium": 1, "high": 2}


def violations(rel: str) -> list[str]:
    doc = tomllib.loads((RULES_DIR / rel).read_text(encoding="utf-8"))
    out = []
    for i, rec in enumerate(doc.get("rule", [])):
        rid = rec.get("id", f"rule #{i + 1}")
        sources = rec.get("sources") or []
        if not sources:
            out.append(f"{rel}: {rid}: no sources")
            continue
        tiers = []
        for s in sources:
            url, tier = s.get("url", ""), s.get("tier")
            if tier not in TIERS:
                out.append(f"{rel}: {rid}: {url}: tier {tier!r} is not one of {TIERS}")
            tiers.append(tier)
            why = banned_reason(url)
            if why:
                out.append(f"{rel}: {rid}: {url}: banned source ({why})")
        conf, ceiling = rec.get("confidence"), confidence_ceiling(tiers)
        if conf in RANK and RANK[conf] > RANK[ceiling]:
            out.append(f"{rel}: {rid}: confidence {conf} but its sources ({', '.join(map(str, tiers))}) "
                       f"allow at most {ceiling}")
    return out


@pytest.mark.parametrize("rel", FILES)
def test_rule_file_sources_are_tiered_within_their_ceiling_and_never_banned(rel):
    found = violations(rel)
    assert not found, f"{len(found)} source problem(s):\n" + "\n".join(found)


def test_every_rule_file_is_checked():
    assert len(FILES) >= 15 and "img/states.toml" in FILES and "cards/courses.toml" in FILES


# The checks themselves: a test that could never fail would prove nothing.
@pytest.mark.parametrize("url,why", [
    ("http://score99.blogspot.com/2011/06/x.html", "blog"),
    ("https://www.californialicenselawblog.com/2020/07/a/", "blog"),
    ("https://blog.sketchy.com/medical/x", "blog"),
    ("https://example.org/blog/post", "blog"),
    ("https://forums.studentdoctor.net/threads/x", "forum"),
    ("https://www.reddit.com/r/x", "forum"),
    ("http://51.38.226.115:8081/r/x", "raw-IP address"),
    ("https://github.com/programmer-man/medlicense/blob/HEAD/x.md", "mirror"),
    ("https://docslib.org/doc/1/x", "mirror"),
    ("https://info.5y1.org/x", "mirror"),
    ("https://namedhomesaubuchon.pages.dev/x", "free site host"),
    ("https://www.citizenportal.ai/articles/6182973/Oregon/Committee-advances-bill", "machine-written (AI summaries of "
     "government meetings)"),
    ("https://citizenportal.ai/articles/3100034/Arkansas/x", "machine-written (AI summaries of government meetings)"),
    ("https://eatsip365.com/a-review-of-state-requirements-for-medical-providers", "content farm"),
    ("https://222health.com/healthcare-industry/general-healthcare-industry/86902.html", "copy farm"),
    ("https://www.medical-license-lookup.com/nevada-state-medical-license-guide-fees-requirements-lookup/",
     "machine-written (one template text per state)"),
    ("https://fastdemocracy.com/bill-summary/?billsummary_id=RIB00031791&billsummary_session=2025&billsummary_state=ri",
     "machine-written (unsigned generated bill summaries of an aggregator)"),
    ("https://vulcanbills.com/ok/2026/HB2050", "machine-written (bill pages labelled 'AI Summary')"),
    ("https://conferences1.wixsite.com/x", "free site host"),
    ("https://d1tvxue8o4w0fl.cloudfront.net/statute/tennessee-code/title-63/x", "mirror (Casetext's CDN copy of its "
     "statute pages)"),
])
def test_banned_sources_are_recognised(url, why):
    assert banned_reason(url) == why


@pytest.mark.parametrize("url", [
    "https://register.dls.virginia.gov/details.aspx?id=6574",
    "https://www.fsmb.org/advocacy/news-releases/advisory-commission-releases-recommendations/",
    "https://cpr.heart.org/en/courses/pals-course-options",
    "https://www.law.cornell.edu/regulations/pennsylvania/49-Pa-Code-SS-16-15",
    # bill and statute copies are secondary sources, not banned (judged from their stored pages, 2026-12-02)
    "https://app.legiplex.com/or/legislature/2025/2025-r/bills/sb476/draft-2251102",
    "https://publicsource.app/legislation/7bf7e862-544c-561c-ba69-b212cc17afc3",
    "https://www.keepinglawsimple.org/states/tennessee/bills/2026/SB2366",
    "https://www.billtrack50.com/billdetail/1788776",
])
def test_legitimate_sources_pass(url):
    assert banned_reason(url) is None


@pytest.mark.parametrize("tiers,ceiling", [
    (["primary"], "high"), (["secondary", "primary"], "high"), (["summary"], "medium"),
    (["summary", "secondary"], "medium"), (["secondary", "secondary"], "medium"), (["secondary"], "low"),
])
def test_confidence_ceiling(tiers, ceiling):
    assert confidence_ceiling(tiers) == ceiling
