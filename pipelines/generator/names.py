"""Name and vocabulary pools.

Pools are small; generators pick from them with numpy index arrays. Weights
are Zipf-like on purpose: common names must recur across many different
people (王伟, 张伟, John Smith) so entity resolution cannot lean on names.
Every character here is GBK-encodable because the CRM export is GBK.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


def zipf_weights(n: int, s: float = 1.0) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1, dtype=float) ** s
    return w / w.sum()


# (surname, pinyin, share in percent) -- roughly the published frequencies
ZH_SURNAMES: tuple[tuple[str, str, float], ...] = tuple(
    (s, p, float(f)) for s, p, f in (x.split(":") for x in """
王:Wang:7.1 李:Li:7.0 张:Zhang:6.6 刘:Liu:5.4 陈:Chen:4.5 杨:Yang:3.1 黄:Huang:2.1 赵:Zhao:2.0
吴:Wu:1.9 周:Zhou:1.9 徐:Xu:1.5 孙:Sun:1.5 马:Ma:1.4 朱:Zhu:1.3 胡:Hu:1.3 郭:Guo:1.1 何:He:1.1
高:Gao:1.0 林:Lin:1.0 罗:Luo:0.9 郑:Zheng:0.9 梁:Liang:0.9 谢:Xie:0.7 宋:Song:0.7 唐:Tang:0.7
许:Xu:0.7 韩:Han:0.6 冯:Feng:0.6 邓:Deng:0.6 曹:Cao:0.6 彭:Peng:0.5 曾:Zeng:0.5 肖:Xiao:0.5
田:Tian:0.5 董:Dong:0.5 袁:Yuan:0.4 潘:Pan:0.4 于:Yu:0.4 蒋:Jiang:0.4 蔡:Cai:0.4 余:Yu:0.4
杜:Du:0.4 叶:Ye:0.4 程:Cheng:0.4 苏:Su:0.3 魏:Wei:0.3 吕:Lv:0.3 丁:Ding:0.3 任:Ren:0.3 沈:Shen:0.3
姚:Yao:0.3 卢:Lu:0.3 姜:Jiang:0.3 崔:Cui:0.3 钟:Zhong:0.3 谭:Tan:0.3 陆:Lu:0.3 汪:Wang:0.3
范:Fan:0.3 金:Jin:0.2 石:Shi:0.2 廖:Liao:0.2 贾:Jia:0.2 夏:Xia:0.2 韦:Wei:0.2 付:Fu:0.2 方:Fang:0.2
白:Bai:0.2 邹:Zou:0.2 孟:Meng:0.2 熊:Xiong:0.2 秦:Qin:0.2 邱:Qiu:0.2 江:Jiang:0.2 尹:Yin:0.2
薛:Xue:0.2 闫:Yan:0.2 段:Duan:0.2 雷:Lei:0.2 侯:Hou:0.2 龙:Long:0.2 史:Shi:0.2 陶:Tao:0.1
黎:Li:0.1 贺:He:0.1 顾:Gu:0.1 毛:Mao:0.1 郝:Hao:0.1 龚:Gong:0.1 邵:Shao:0.1 万:Wan:0.1 钱:Qian:0.1
严:Yan:0.1 覃:Qin:0.1 武:Wu:0.1 戴:Dai:0.1 莫:Mo:0.1 孔:Kong:0.1 向:Xiang:0.1 汤:Tang:0.1
欧阳:Ouyang:0.05 司马:Sima:0.03 诸葛:Zhuge:0.03 上官:Shangguan:0.03 东方:Dongfang:0.02
皇甫:Huangfu:0.02 慕容:Murong:0.02 司徒:Situ:0.04 令狐:Linghu:0.02 夏侯:Xiahou:0.02
""".split())
)

# popular given names in rank order (Zipf weights are applied by rank)
ZH_GIVEN_POPULAR = {
    "M": """伟 磊 强 军 洋 勇 杰 涛 明 超 刚 平 辉 鹏 华 飞 鑫 波 斌 宇 浩 凯 健 俊 帆 旭 宁 龙 林 阳
建华 建国 建军 志强 志明 俊杰 浩然 子轩 宇轩 博文 文博 子豪 晨 昊 亮 峰 成 东 建平 国强 国华 文
晓东 晓明 海涛 海波 小龙 志刚 永强 家豪 嘉诚 思远 天宇 泽宇 一鸣 振华 德华 立新""".split(),
    "F": """芳 娜 敏 静 丽 艳 娟 霞 秀英 燕 玲 桂英 丹 萍 红 玉兰 婷 慧 琳 雪 颖 倩 洁 晶 梅 莉 欣 悦
佳 琴 云 秀兰 秀珍 丽娟 丽华 海燕 晓燕 婷婷 欣怡 子涵 梓涵 诗涵 雨欣 思琪 佳怡 雅婷 晓丽 春梅 美玲
淑华 文静 佳琪 雨涵 可欣 梦瑶 紫萱 一诺 若曦""".split(),
}
# characters combined into less common two-character given names
ZH_GIVEN_CHARS = {
    "M": "伟志明国建文俊浩宇子博天家振德海永晓鹏泽嘉思一昊睿皓晨轩然涛杰斌峰磊龙军华成东辉亮强勇飞鑫凯航毅锋",
    "F": "丽秀美玉婷雪晓静慧佳欣雅梦思诗雨子可紫春桂淑文红燕霞琳颖倩洁晶梅莉悦琴云兰萍娜芳敏娟怡涵萱琪瑶妍璐",
}
# look-alike / sound-alike replacements used for Chinese name typos
ZH_SIMILAR = dict(x.split(":") for x in """伟:玮 玮:伟 丽:莉 莉:丽 静:婧 明:铭 华:桦 军:君 娜:那 敏:民 芳:方
涛:滔 磊:垒 洋:阳 阳:洋 勇:永 超:潮 刚:钢 平:萍 萍:平 辉:晖 鹏:朋 飞:非 鑫:新 波:博 斌:彬 宇:雨
雨:宇 浩:皓 凯:恺 健:建 建:健 俊:骏 晓:小 小:晓 秀:绣 英:瑛 燕:艳 艳:燕 玲:铃 红:虹 婷:亭 慧:惠
琳:林 林:琳 颖:莹 倩:茜 梅:玫 欣:昕 悦:月 佳:家 家:佳 琴:芹 云:芸 兰:岚 霞:侠 娟:鹃 志:智 文:雯
博:波 天:添 德:得 海:凯 杰:捷 强:疆 峰:锋 锋:峰 亮:靓 龙:隆 东:冬 成:诚 国:果 思:丝 雪:薛""".split())

LATIN_SURNAMES = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Wilson Anderson
Taylor Thomas Moore Jackson Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen King
Wright Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips Campbell Parker Evans
Edwards Collins Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Bell Kelly Howard Ward
Cox Richardson Wood Watson Brooks Bennett Gray Hughes Price Sanders Patel Myers Long Ross Foster Jenkins
Powell Russell Sullivan Murray O'Brien O'Connor McDonald Hall Hunt Palmer Mason Holmes Knight Lloyd Butler""".split()

LATIN_GIVEN = {
    "M": """James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew
Anthony Mark Paul Steven Andrew Joshua Kevin Brian George Edward Ryan Jacob Gary Nicholas Eric Jonathan
Stephen Justin Scott Brandon Benjamin Samuel Gregory Frank Alexander Patrick Jack Oliver Harry Liam Noah
Ethan Lucas Henry Peter Adam Luke Tom Sam Ben Chris Nathan Aaron Sean Dylan""".split(),
    "F": """Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Nancy Lisa Betty Margaret
Sandra Ashley Kimberly Emily Donna Michelle Dorothy Carol Amanda Melissa Deborah Stephanie Rebecca Laura
Sharon Cynthia Kathleen Amy Angela Helen Anna Brenda Emma Olivia Sophie Charlotte Amelia Isla Grace Chloe
Lucy Hannah Rachel Megan Lauren Katherine Catherine Claire Julia Natalie Victoria Zoe Ella Ruby""".split(),
}

HONORIFIC_ZH = {"M": "先生", "F": "女士"}
HONORIFIC_LATIN = {"M": ("Mr", "Mr.", "Dr"), "F": ("Mrs", "Ms", "Miss", "Dr")}

# --- companies --------------------------------------------------------------
ZH_CORE_CHARS = "星辰华腾鼎盛恒信达通宏远博创金源瑞祥天成新德嘉和泰兴永隆中汇锦宇海立明辉安康佳悦众联凯旭东方正科光耀晨云峰诚富利昌荣美思"
# (word in the name, GB/T 4754 industry, Latin word)
INDUSTRIES: tuple[tuple[str, str, str], ...] = (
    ("科技", "科技推广和应用服务业", "Technologies"),
    ("信息技术", "软件和信息技术服务业", "Information Technology"),
    ("网络科技", "互联网和相关服务", "Networks"),
    ("软件", "软件和信息技术服务业", "Software"),
    ("电子", "计算机、通信和其他电子设备制造业", "Electronics"),
    ("贸易", "批发业", "Trading"),
    ("商贸", "批发业", "Commerce"),
    ("机械", "通用设备制造业", "Machinery"),
    ("食品", "食品制造业", "Foods"),
    ("建材", "非金属矿物制品业", "Building Materials"),
    ("物流", "道路运输业", "Logistics"),
    ("医药", "医药制造业", "Pharmaceuticals"),
    ("文化传媒", "文化艺术业", "Media"),
    ("环保科技", "生态保护和环境治理业", "Environmental"),
    ("服饰", "纺织服装、服饰业", "Apparel"),
    ("餐饮管理", "餐饮业", "Catering"),
    ("教育咨询", "教育", "Education"),
    ("建筑工程", "房屋建筑业", "Construction"),
    ("汽车配件", "汽车制造业", "Auto Parts"),
    ("化工", "化学原料和化学制品制造业", "Chemicals"),
    ("家具", "家具制造业", "Furniture"),
    ("咨询", "商务服务业", "Consulting"),
    ("商业连锁", "零售业", "Retail"),
)
ZH_COMPANY_SUFFIX = ("有限公司", "有限责任公司", "股份有限公司", "集团有限公司")
ZH_COMPANY_SUFFIX_W = (0.70, 0.10, 0.12, 0.08)

LATIN_CORE = """Acme Summit Pioneer Northwind Bluewater Redwood Granite Silverline Evergreen Harbor Keystone
Beacon Atlas Orion Sterling Crescent Horizon Liberty Meridian Apex Cascade Falcon Ironwood Lakeside Maple
Oakridge Pinnacle Riverside Sapphire Trident Vanguard Westfield Zenith Brightstar Clearwater Goldcrest
Highland Kingsway Northstar Silverstone""".split()
LATIN_CORE2 = "Bay Ridge Point Valley Stone Creek Peak Field Park Bridge".split()
# official suffix per country with weights, and loose spellings of each
LATIN_SUFFIX = {
    "US": (("Inc.", "LLC", "Corp."), (0.5, 0.35, 0.15)),
    "GB": (("Ltd", "Limited", "PLC"), (0.6, 0.3, 0.1)),
    "AU": (("Pty Ltd", "Ltd"), (0.9, 0.1)),
}
LATIN_SUFFIX_LOOSE = {
    "Inc.": ("Inc", "Incorporated", "Co."),
    "LLC": ("L.L.C.", "LLC.", "Co., Ltd."),
    "Corp.": ("Corporation", "Corp", "Co."),
    "Ltd": ("Limited", "Ltd.", "Co., Ltd."),
    "Limited": ("Ltd", "Ltd.", "Co., Ltd."),
    "PLC": ("plc", "P.L.C.", "Limited"),
    "Pty Ltd": ("Pty. Ltd.", "Proprietary Limited", "Co., Ltd."),
}
COMPANY_SIZES = ("微型", "小型", "中型", "大型")
COMPANY_SIZE_W = (0.35, 0.40, 0.20, 0.05)
CAPITAL_BY_SIZE = (
    ("10万", "30万", "50万", "100万"),
    ("100万", "200万", "300万", "500万"),
    ("500万", "1000万", "2000万", "5000万"),
    ("5000万", "1亿", "2亿", "5亿"),
)

JOB_TITLES_ZH = """经理 总经理 销售经理 采购经理 工程师 会计 行政主管 总监 技术总监 人事专员 店长 设计师 教师 医生
职员 主管 项目经理 市场专员 财务经理 董事长 客服专员 产品经理""".split()
JOB_TITLES_LATIN = [x.strip() for x in """Manager|Director|Engineer|Accountant|Sales Manager|
Purchasing Manager|Teacher|Nurse|Consultant|Analyst|CEO|Owner|Project Manager|Designer|Administrator|
Operations Manager|Buyer|Office Manager""".replace("\n", "").split("|")]

# --- emails -----------------------------------------------------------------
EMAIL_DOMAINS = {
    "CN": (("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "gmail.com", "hotmail.com",
            "outlook.com", "139.com", "sohu.com", "yeah.net"),
           (0.33, 0.25, 0.10, 0.05, 0.05, 0.05, 0.04, 0.05, 0.03, 0.03, 0.02)),
    "US": (("gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "aol.com", "comcast.net"),
           (0.42, 0.14, 0.10, 0.14, 0.12, 0.04, 0.04)),
    "GB": (("gmail.com", "yahoo.co.uk", "hotmail.co.uk", "outlook.com", "btinternet.com", "icloud.com"),
           (0.38, 0.12, 0.15, 0.13, 0.10, 0.12)),
    "AU": (("gmail.com", "bigpond.com", "outlook.com", "hotmail.com", "icloud.com", "optusnet.com.au"),
           (0.40, 0.15, 0.14, 0.12, 0.12, 0.07)),
}
# plausible fat-finger versions of common domains; others get a generic typo
DOMAIN_TYPOS = {
    "gmail.com": "gmial.com", "hotmail.com": "hotmial.com", "163.com": "163.con", "qq.com": "qq.co",
    "yahoo.com": "yaho.com", "126.com": "126.con", "outlook.com": "outlok.com", "sina.com": "sian.com",
    "foxmail.com": "foxmial.com", "icloud.com": "icoud.com", "139.com": "139.cm", "sohu.com": "souh.com",
    "yeah.net": "yeah.ent", "aol.com": "aol.cm", "comcast.net": "comcast.ent", "yahoo.co.uk": "yahoo.co.k",
    "hotmail.co.uk": "hotmial.co.uk", "btinternet.com": "btinternet.con", "bigpond.com": "bigpond.cm",
    "optusnet.com.au": "optusnet.con.au",
}

# --- CRM / service / marketing vocabulary -----------------------------------
SALES_OWNERS = """张磊 李静 王强 刘洋 陈晨 杨帆 赵敏 黄海 周婷 吴昊 徐丽 孙杰 马超 朱琳 胡斌 郭峰 何雪 高明
林悦 罗军 郑凯 梁雨 宋佳 唐宁""".split() + ["Emily Chen", "David Li", "Grace Wang", "Tom Zhang"]
CRM_TAGS = "高价值 展会 老客户 转介绍 线上注册 大客户 价格敏感 潜力客户 重点跟进 投诉过 VIP 经销商 新品试用 会员".split()
LIFECYCLE = ("潜在客户", "新客户", "活跃客户", "忠诚客户", "流失风险", "已流失")

TICKET_SUBJECTS = {
    ("zh", "consultation"): "产品使用咨询 发票开具咨询 订单状态查询 价格咨询 会员权益咨询 配送时间咨询 售后政策咨询 账户登录问题".split(),
    ("zh", "complaint"): "产品质量问题 配送延迟投诉 服务态度投诉 退款未到账 商品与描述不符 多次维修未解决 收费有误".split(),
    ("zh", "repair"): "设备故障报修 安装预约 上门维修申请 配件更换 屏幕损坏维修 无法开机".split(),
    ("latin", "consultation"): ["Product usage question", "Invoice request", "Order status inquiry",
                                "Pricing question", "Membership benefits", "Delivery time question",
                                "Warranty policy question", "Account login issue"],
    ("latin", "complaint"): ["Product quality issue", "Late delivery", "Poor service experience",
                             "Refund not received", "Item not as described", "Repeated repair failure",
                             "Incorrect charge"],
    ("latin", "repair"): ["Device not working", "Installation appointment", "On-site repair request",
                          "Replacement part", "Cracked screen repair", "Won't power on"],
}

SURVEY_COMMENTS = {
    ("zh", 0): "非常失望 服务太慢了 问题一直没解决 质量很差，不会再买 客服态度不好 退款流程太复杂".split(),
    ("zh", 1): "还可以 一般般 价格有点贵 物流可以再快一点 基本满意".split(),
    ("zh", 2): "非常满意 服务很专业 质量很好，会推荐给朋友 回复很及时 物流很快 好评".split(),
    ("latin", 0): ["Very disappointed", "Took far too long", "Issue still not fixed",
                   "Poor quality, won't buy again", "Rude support agent", "Refund process is a mess"],
    ("latin", 1): ["It was okay", "Average experience", "A bit pricey", "Delivery could be faster",
                   "Mostly fine"],
    ("latin", 2): ["Excellent service", "Very professional", "Great quality, will recommend",
                   "Quick response", "Fast delivery", "Love it"],
}

# (month, campaign name): campaigns run in their season
CAMPAIGNS_ZH = ((1, "新春焕新季"), (3, "女神节特惠"), (4, "春季上新"), (5, "五一狂欢"), (6, "618年中大促"),
                (7, "暑期清凉节"), (8, "七夕限定"), (9, "开学季"), (9, "中秋礼遇"), (10, "国庆黄金周"),
                (11, "双11狂欢"), (12, "双12返场"), (12, "年终感恩回馈"), (0, "会员日专享"))
CAMPAIGNS_LATIN = ((1, "New Year Sale"), (3, "Spring Collection"), (4, "Easter Deals"), (7, "Summer Sale"),
                   (8, "Back to School"), (11, "Black Friday"), (12, "Cyber Monday"), (12, "Holiday Gifts"),
                   (0, "VIP Members Day"), (12, "Boxing Day Sale"))

PRODUCT_CATALOG: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    # category, median price (CNY), items
    ("电子产品", 400.0, ("无线蓝牙耳机", "智能手表", "移动电源", "机械键盘", "无线鼠标", "降噪耳机", "智能音箱",
                        "4K显示器", "USB-C扩展坞", "平板电脑保护套")),
    ("家居生活", 160.0, ("记忆棉枕头", "四件套床品", "不锈钢保温杯", "香薰蜡烛", "收纳箱", "空气净化器",
                        "电热水壶", "扫地机器人", "加湿器", "护眼台灯")),
    ("办公用品", 60.0, ("中性笔套装", "笔记本", "文件夹", "人体工学椅", "电动升降桌", "打印纸", "订书机", "白板")),
    ("食品饮料", 90.0, ("有机绿茶", "挂耳咖啡", "坚果礼盒", "土蜂蜜", "进口橄榄油", "牛肉干", "月饼礼盒", "矿泉水整箱")),
    ("服装鞋帽", 220.0, ("纯棉T恤", "羽绒服", "运动鞋", "牛仔裤", "羊毛围巾", "防晒衣", "商务衬衫", "帆布包")),
    ("美妆个护", 150.0, ("保湿面霜", "防晒霜", "洗发水", "电动牙刷", "面膜套装", "香水", "剃须刀")),
    ("运动户外", 260.0, ("瑜伽垫", "跑步机", "登山包", "帐篷", "哑铃套装", "骑行头盔")),
    ("母婴用品", 180.0, ("婴儿推车", "纸尿裤", "奶瓶", "儿童安全座椅", "益智积木")),
)
PRODUCT_VARIANTS = (("", 1.0), (" Pro", 1.6), (" 标准版", 0.9), (" 升级款", 1.3), (" 礼盒装", 1.4),
                    (" 大号", 1.2), (" 2代", 1.25), (" 黑色", 1.0))


@lru_cache(maxsize=1)
def zh_char_pool() -> tuple[list[str], list[str], dict[str, int]]:
    """All Chinese given-name and company-core characters with their pinyin.

    Pinyin is computed once per character, so any name built from pool indices
    gets its romanization by indexing, never by calling pypinyin per row.
    """
    from pypinyin import Style, lazy_pinyin

    chars: list[str] = []
    for name in ZH_GIVEN_POPULAR["M"] + ZH_GIVEN_POPULAR["F"]:
        chars.extend(name)
    chars.extend(ZH_GIVEN_CHARS["M"] + ZH_GIVEN_CHARS["F"] + ZH_CORE_CHARS)
    chars.extend(ZH_SIMILAR.values())
    uniq = sorted(set(chars))
    pinyin = [lazy_pinyin(c, style=Style.NORMAL)[0].replace("ü", "v") for c in uniq]
    return uniq, pinyin, {c: i for i, c in enumerate(uniq)}
