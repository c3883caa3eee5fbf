"""Made-up but valid Chinese people for the demo: names, resident IDs, phones, addresses, e-mail, WeChat.

Everything is drawn from one ``random.Random`` and one seeded ``Faker("zh_CN")``, so the same seed gives the
same people. No database access.

* Resident IDs are built from region codes that exist in python-stdnum's table and were valid for every birth
  year we generate, with a correct check digit, so each passes ``stdnum.cn.ric.validate`` (Faker's own zh_CN
  IDs fail it about 64% of the time). The registered address (户籍地址) lies in the ID's region.
* Mobiles use real CN prefixes and are re-drawn until ``phonenumbers.is_valid_number`` accepts them. They are
  random numbers that may belong to real people: a demo database must never be connected to a live SMS/call
  gateway.
* E-mail addresses use the reserved ``example.*`` domains so nothing can ever be delivered.
"""
from __future__ import annotations

import datetime as dt
import functools
import random
import re
from dataclasses import dataclass
from pathlib import Path

import phonenumbers
import stdnum
from faker import Faker
from stdnum.cn import ric


#: Mobile prefixes (weights roughly follow the number pools in use).
MOBILE_PREFIXES = ([f"13{d}" for d in range(10)] * 3 + [f"15{d}" for d in range(10) if d != 4] * 2
                   + [f"18{d}" for d in range(10)] * 3 + ["191", "193", "195", "196", "198", "199"]
                   + ["166", "173", "176", "177", "178"])
#: Area codes of big cities for office landlines.
LANDLINE_AREAS = ["010", "021", "020", "0755", "028", "027", "0571", "025", "023", "029", "0512", "022"]
#: Prefecture prefixes of the big cities migrants move to (北京 上海 广州 深圳 杭州 成都 武汉 南京 西安 苏州).
BIG_CITIES = ("1101", "3101", "4401", "4403", "3301", "5101", "4201", "3201", "6101", "3205")
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


@dataclass(frozen=True)
class Region:
    code: str  # six digits, e.g. 110105
    province: str
    prefecture: str  # "" for municipalities (北京市 …)
    county: str
    since: int | None = None  # first and last year the code carried this name (None: open)
    until: int | None = None

    @property
    def name(self) -> str:
        return f"{self.province}{self.prefecture}{self.county}"

    def valid_in(self, year: int) -> bool:
        return (self.since is None or self.since <= year) and (self.until is None or year <= self.until)


def _segments(text: str):
    """``朝阳区`` / ``[1986-]房山区`` / ``[-1991]东郊区,[1992-]东丽区`` → (since, until, name) triples."""
    for part in text.split(","):
        m = re.fullmatch(r"(?:\[(\d*)-(\d*)\])?(.+)", part)
        if m:
            start, end, name = m.groups()
            yield (int(start) if start else None), (int(end) if end else None), name


def _current(text: str) -> str:
    names = [name for _s, until, name in _segments(text) if until is None]
    return names[-1] if names else ""


@functools.lru_cache(maxsize=1)
def regions() -> tuple[Region, ...]:
    """County-level regions from python-stdnum's ``cn/loc.dat`` (the table ``ric.validate`` checks), one
    entry per name a code has carried, with the years it carried it."""
    path = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    provinces: dict[str, str] = {}
    entries: dict[str, str] = {}
    province = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            province = line[:2]
            m = re.search(r'province="([^"]*)"', line)
            provinces[province] = m.group(1) if m else ""
            continue
        m = re.match(r'\s+(\d{4}) county="([^"]*)"', line)
        if m:
            entries[province + m.group(1)] = m.group(2)
    out = []
    for code, text in sorted(entries.items()):
        if code.endswith("00"):
            continue
        prefecture = _current(entries.get(code[:4] + "00", ""))
        if prefecture in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划") or \
                prefecture == provinces.get(code[:2]):
            prefecture = ""
        for since, until, county in _segments(text):
            if county in ("市辖区", "县", "郊区") or "直辖" in county:
                continue
            out.append(Region(code, provinces.get(code[:2], ""), prefecture, county, since, until))
    return tuple(out)


@functools.lru_cache(maxsize=None)
def regions_valid_in(year: int) -> tuple[Region, ...]:
    return tuple(r for r in regions() if r.valid_in(year))


class PeopleFactory:
    """Draws people and their contact details; remembers IDs and phones already used so none repeat."""

    def __init__(self, rng: random.Random, fake: Faker):
        self.rng, self.fake = rng, fake
        self.current_regions = [r for r in regions() if r.until is None]
        self.big_city_regions = [r for r in self.current_regions if r.code.startswith(BIG_CITIES)]
        self._by_prefix: dict[str, list[Region]] = {}
        for r in self.current_regions:
            for prefix in (r.code, r.code[:4], r.code[:2]):
                self._by_prefix.setdefault(prefix, []).append(r)
        self._ids: set[str] = set()
        self._phones: set[str] = set()

    # --- identity -----------------------------------------------------------------------------------------
    def surname(self) -> str:
        return self.fake.last_name()

    def given_name(self, gender: str) -> str:
        return self.fake.first_name_male() if gender == "M" else self.fake.first_name_female()

    def birth_date(self, as_of: dt.date, min_age: int = 20, max_age: int = 60) -> dt.date:
        """A birth date making the person between ``min_age`` and ``max_age`` on ``as_of`` (younger people
        are more common in an online-lending book). Only the year of ``as_of`` is used, so the same seed
        gives the same people all year round."""
        years = min(self.rng.randint(min_age + 1, max_age), self.rng.randint(min_age + 1, max_age))
        first = dt.date(as_of.year - years, 1, 1)
        return first + dt.timedelta(days=self.rng.randrange(365))

    def resident_id(self, birth: dt.date, gender: str, region: Region | None = None) -> tuple[str, Region]:
        """A unique 18-digit 居民身份证号 for this birth date and gender that passes ``ric.validate``."""
        candidates = regions_valid_in(birth.year)
        if not candidates:
            raise ValueError(f"no region code valid in {birth.year}")
        for _attempt in range(1000):
            region = region or self.rng.choice(candidates)
            seq = self.rng.randrange(0, 500) * 2 + (1 if gender == "M" else 0)  # 17th digit odd = male
            body = f"{region.code}{birth:%Y%m%d}{seq:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self._ids:
                ric.validate(number)
                self._ids.add(number)
                return number, region
            region = None
        raise RuntimeError("could not draw a unique resident ID")

    # --- phones -------------------------------------------------------------------------------------------
    def mobile(self) -> str:
        """A unique CN mobile number (11 digits) that phonenumbers accepts."""
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10 ** 8):08d}"
            if number in self._phones:
                continue
            if phonenumbers.is_valid_number(phonenumbers.parse(number, "CN")):
                self._phones.add(number)
                return number

    def landline(self) -> str:
        while True:
            area = self.rng.choice(LANDLINE_AREAS)
            number = f"{area}-{self.rng.randint(2, 8)}{self.rng.randrange(10 ** 7):07d}"
            if number in self._phones:
                continue
            if phonenumbers.is_valid_number(phonenumbers.parse(number, "CN")):
                self._phones.add(number)
                return number

    def broken_mobile(self) -> str:
        """A number as creditors sometimes send it: too short, or with a digit missing."""
        good = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10 ** 8):08d}"
        return good[: self.rng.choice((7, 8, 10))]

    # --- addresses and online ids -------------------------------------------------------------------------
    def registered_region(self, id_region: Region) -> Region:
        """Where the person's 户籍 is today: the ID's region under its current name, or a current region of
        the same prefecture (or province) when the code has since been abolished."""
        if id_region.until is None:
            return id_region
        for prefix in (id_region.code, id_region.code[:4], id_region.code[:2]):
            same = self._by_prefix.get(prefix)
            if same:
                return same[0] if prefix == id_region.code else self.rng.choice(same)
        return self.rng.choice(self.current_regions)

    def home_region(self, registered: Region) -> Region:
        """Most people live where they are registered; many have moved to a big city."""
        if self.rng.random() < 0.6:
            same = self._by_prefix.get(registered.code[:4])
            return self.rng.choice(same) if same else registered
        return self.rng.choice(self.big_city_regions)

    def address(self, region: Region, *, flat: bool = True) -> str:
        street = self.fake.street_name()
        text = f"{region.name}{street}{self.rng.randint(1, 999)}号"
        if flat:
            building, entrance, floor, door = (self.rng.randint(1, 30), self.rng.randint(1, 6),
                                               self.rng.randint(1, 33), self.rng.randint(1, 4))
            text += f"{building}栋{entrance}单元{floor}{door:02d}室"
        return text

    def work_address(self, region: Region) -> str:
        base = self.address(region, flat=False)
        suite = ("", "", f"{self.rng.randint(2, 40)}楼", f"{self.fake.street_name()}大厦{self.rng.randint(3, 30)}层")
        return base + self.rng.choice(suite)

    def email(self) -> str:
        user = self.fake.user_name() + (str(self.rng.randint(1, 999)) if self.rng.random() < 0.5 else "")
        return f"{user}@{self.rng.choice(EMAIL_DOMAINS)}"

    def wechat(self) -> str:
        if self.rng.random() < 0.5:
            return "wxid_" + "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(14))
        return self.fake.user_name() + str(self.rng.randint(10, 9999))
