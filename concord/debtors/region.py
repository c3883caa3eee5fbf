"""The province and city of a Chinese address (广东省深圳市南山区… → 广东, 深圳). Pure: no Django import.

Allocation rules match on region; the address itself is stored encrypted, so the region is read once when the
address is recorded (``debtors.services.add_contact_point``, the placement import) and kept on the debtor.
"""
from __future__ import annotations

#: province-level divisions: short name → the full names an address may start with
PROVINCES: dict[str, tuple[str, ...]] = {
    "北京": ("北京市",), "天津": ("天津市",), "上海": ("上海市",), "重庆": ("重庆市",),
    "河北": ("河北省",), "山西": ("山西省",), "辽宁": ("辽宁省",), "吉林": ("吉林省",), "黑龙江": ("黑龙江省",),
    "江苏": ("江苏省",), "浙江": ("浙江省",), "安徽": ("安徽省",), "福建": ("福建省",), "江西": ("江西省",),
    "山东": ("山东省",), "河南": ("河南省",), "湖北": ("湖北省",), "湖南": ("湖南省",), "广东": ("广东省",),
    "海南": ("海南省",), "四川": ("四川省",), "贵州": ("贵州省",), "云南": ("云南省",), "陕西": ("陕西省",),
    "甘肃": ("甘肃省",), "青海": ("青海省",), "台湾": ("台湾省",), "内蒙古": ("内蒙古自治区",),
    "广西": ("广西壮族自治区", "广西自治区"), "西藏": ("西藏自治区",), "宁夏": ("宁夏回族自治区", "宁夏自治区"),
    "新疆": ("新疆维吾尔自治区", "新疆自治区"), "香港": ("香港特别行政区",), "澳门": ("澳门特别行政区",),
}
MUNICIPALITIES = ("北京", "天津", "上海", "重庆", "香港", "澳门")
_CITY_ENDS = ("自治州", "地区", "市", "盟")


def parse(address: str) -> tuple[str, str]:
    """``(province, city)`` in short form (``("广东", "深圳")``; a municipality is its own city), ``("", "")`` when
    the address does not start with a province (or a municipality)."""
    text = "".join((address or "").split())
    for short, fulls in PROVINCES.items():
        for name in (*fulls, short):
            if text.startswith(name):
                rest = text[len(name):]
                if short in MUNICIPALITIES:
                    return short, short
                return short, _city(rest)
    return "", ""


def _city(rest: str) -> str:
    best = None
    for end in _CITY_ENDS:
        i = rest.find(end)
        if 0 < i <= 8 and (best is None or i < best[0]):
            best = (i, end)
    if best is None:
        return ""
    name = rest[:best[0]]
    return name if best[1] == "市" else name + best[1]
