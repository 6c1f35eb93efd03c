"""Legal forms, industry taxonomy (GB/T 4754-2017 sections) and company-size words."""

from __future__ import annotations

# Chinese legal-form endings, longest first: written form -> canonical legal_form.
CHINESE_LEGAL_FORMS = {
    "股份有限公司": "股份有限公司", "股份公司": "股份有限公司", "有限责任公司": "有限公司", "有限公司": "有限公司",
    "(有限合伙)": "有限合伙", "有限合伙企业": "有限合伙", "有限合伙": "有限合伙", "(普通合伙)": "普通合伙",
    "普通合伙企业": "普通合伙", "(特殊普通合伙)": "特殊普通合伙", "个人独资企业": "个人独资企业", "分公司": "分公司",
    "合伙企业": "合伙企业", "公司": "公司",
}

# English legal-form endings: the ending with dots, commas and spaces removed, lower-cased -> canonical form.
# Company limited in any spelling ("Co., Ltd.", "Company Limited", "Limited") is "Ltd".
ENGLISH_LEGAL_FORMS = {
    "coltd": "Ltd", "colimited": "Ltd", "companylimited": "Ltd", "companyltd": "Ltd", "ltd": "Ltd", "limited": "Ltd",
    "ptyltd": "Pty Ltd", "ptylimited": "Pty Ltd", "pteltd": "Pte Ltd", "ptelimited": "Pte Ltd",
    "inc": "Inc", "incorporated": "Inc", "corp": "Corp", "corporation": "Corp", "llc": "LLC",
    "limitedliabilitycompany": "LLC", "llp": "LLP", "lp": "LP", "plc": "PLC", "gmbh": "GmbH", "ag": "AG", "sa": "SA",
    "sas": "SAS", "sarl": "SARL", "spa": "SpA", "srl": "Srl", "bv": "BV", "nv": "NV", "kk": "KK", "sdnbhd": "Sdn Bhd",
    "bhd": "Bhd", "oy": "Oy", "ab": "AB", "as": "AS", "aps": "ApS", "co": "Co", "company": "Co",
}
# How each ending may be written (regex over the lower-cased name; dots optional).
ENGLISH_LEGAL_PATTERNS = (
    r"co(?:mpany)?\.?,?\s*(?:ltd|limited)", r"pty\.?\s*(?:ltd|limited)", r"pte\.?\s*(?:ltd|limited)",
    r"limited liability company", r"sdn\.?\s*bhd", r"ltd", r"limited", r"incorporated", r"inc", r"corporation",
    r"corp", r"l\.?l\.?c", r"l\.?l\.?p", r"l\.?p", r"plc", r"gmbh", r"ag", r"s\.?a\.?s", r"s\.?a\.?r\.?l", r"s\.?p\.?a",
    r"s\.?r\.?l", r"s\.?a", r"b\.?v", r"n\.?v", r"k\.?k", r"bhd", r"oy", r"aps", r"company", r"co",
)

# Words that name no company: the field was filled to get past a required-field check.
COMPANY_PLACEHOLDERS = (
    "无", "暂无", "未知", "不详", "个人", "个体", "自由职业", "无业", "待定", "测试", "其他", "其它", "test", "na", "none",
    "null", "unknown", "individual", "personal", "private", "self", "selfemployed", "freelance", "freelancer",
    "retired", "student", "company", "xxx", "abc",
)

# GB/T 4754-2017 sections.
INDUSTRY_SECTIONS = {
    "A": "农、林、牧、渔业", "B": "采矿业", "C": "制造业", "D": "电力、热力、燃气及水生产和供应业", "E": "建筑业",
    "F": "批发和零售业", "G": "交通运输、仓储和邮政业", "H": "住宿和餐饮业", "I": "信息传输、软件和信息技术服务业",
    "J": "金融业", "K": "房地产业", "L": "租赁和商务服务业", "M": "科学研究和技术服务业", "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业", "P": "教育", "Q": "卫生和社会工作", "R": "文化、体育和娱乐业",
    "S": "公共管理、社会保障和社会组织", "T": "国际组织",
}
# Two-digit GB/T 4754 division ranges per section ("I65" and "65" both mean section I).
INDUSTRY_DIVISIONS = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52), "G": (53, 60),
    "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72), "M": (73, 75), "N": (76, 79),
    "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90), "S": (91, 96), "T": (97, 97),
}
# GB/T 4754-2017 divisions (大类) by code: registries and ERPs often record these instead of sections.
INDUSTRY_DIVISION_NAMES = """
01 农业|02 林业|03 畜牧业|04 渔业|05 农、林、牧、渔专业及辅助性活动|06 煤炭开采和洗选业|07 石油和天然气开采业
08 黑色金属矿采选业|09 有色金属矿采选业|10 非金属矿采选业|11 开采专业及辅助性活动|12 其他采矿业|13 农副食品加工业
14 食品制造业|15 酒、饮料和精制茶制造业|16 烟草制品业|17 纺织业|18 纺织服装、服饰业|19 皮革、毛皮、羽毛及其制品和制鞋业
20 木材加工和木、竹、藤、棕、草制品业|21 家具制造业|22 造纸和纸制品业|23 印刷和记录媒介复制业
24 文教、工美、体育和娱乐用品制造业|25 石油、煤炭及其他燃料加工业|26 化学原料和化学制品制造业|27 医药制造业
28 化学纤维制造业|29 橡胶和塑料制品业|30 非金属矿物制品业|31 黑色金属冶炼和压延加工业|32 有色金属冶炼和压延加工业
33 金属制品业|34 通用设备制造业|35 专用设备制造业|36 汽车制造业|37 铁路、船舶、航空航天和其他运输设备制造业
38 电气机械和器材制造业|39 计算机、通信和其他电子设备制造业|40 仪器仪表制造业|41 其他制造业|42 废弃资源综合利用业
43 金属制品、机械和设备修理业|44 电力、热力生产和供应业|45 燃气生产和供应业|46 水的生产和供应业|47 房屋建筑业
48 土木工程建筑业|49 建筑安装业|50 建筑装饰、装修和其他建筑业|51 批发业|52 零售业|53 铁路运输业|54 道路运输业
55 水上运输业|56 航空运输业|57 管道运输业|58 多式联运和运输代理业|59 装卸搬运和仓储业|60 邮政业|61 住宿业|62 餐饮业
63 电信、广播电视和卫星传输服务|64 互联网和相关服务|65 软件和信息技术服务业|66 货币金融服务|67 资本市场服务|68 保险业
69 其他金融业|70 房地产业|71 租赁业|72 商务服务业|73 研究和试验发展|74 专业技术服务业|75 科技推广和应用服务业
76 水利管理业|77 生态保护和环境治理业|78 公共设施管理业|79 土地管理业|80 居民服务业|81 机动车、电子产品和日用产品修理业
82 其他服务业|83 教育|84 卫生|85 社会工作|86 新闻和出版业|87 广播、电视、电影和录音制作业|88 文化艺术业|89 体育
90 娱乐业|91 中国共产党机关|92 国家机构|93 人民政协、民主党派|94 社会保障|95 群众团体、社会团体和其他成员组织
96 基层群众自治组织及其他组织|97 国际组织
"""

# Ordered: the first pattern found in the (lower-cased) text decides. More specific activities come
# before the generic words that also occur in them (电子商务 before 电子, 医疗器械制造 before 医疗).
INDUSTRY_KEYWORDS = (
    ("T", r"国际组织|international organi[sz]ation|(?-u:\b)un agency(?-u:\b)"),
    ("S", r"公共管理|政府|机关|党政|社会保障|社会组织|社团|基金会|非营利|事业单位|government|public administration|"
          r"public sector|(?-u:\b)ngo(?-u:\b)|non-?profit|charity"),
    ("M", r"生物技术|生物科技|生命科学|biotech|life science"),
    ("H", r"hospitality|hotel|酒店|宾馆"),
    ("C", r"制造|制品|生产|加工|工厂|化工|制药|药业|纺织|服装厂|机械|汽车零部件|manufactur|factory|industrial production|"
          r"pharmaceutical|fabricat"),
    ("J", r"金融|银行|保险|证券|基金|信托|期货|投资|理财|支付|典当|bank|financ|insurance|securities|fintech|"
          r"investment|asset management|wealth|brokerage|payment"),
    ("K", r"房地产|地产|物业|置业|楼盘|real ?estate|property|properties|realty"),
    ("F", r"电子商务|电商|批发|零售|贸易|商贸|商业|超市|商场|便利店|专卖|经销|销售|进出口|e-?commerce|retail|"
          r"wholesale|trading|(?-u:\b)trade(?-u:\b)|(?-u:\b)shop|store|distribut|dealer|supermarket"),
    ("I", r"软件|互联网|信息技术|信息服务|计算机|网络|通信|电信|云计算|大数据|人工智能|数据|游戏|科技|(?-u:\b)it(?-u:\b)|"
          r"software|internet|information technology|telecom|(?-u:\b)tech(?-u:\b)|technology|saas|cloud|computer|"
          r"(?-u:\b)ai(?-u:\b)|data|"
          r"digital|cyber|web"),
    ("P", r"教育|培训|学校|大学|学院|幼儿园|早教|留学|education|school|training|universit|college|academy|e-?learning|"
          r"tutoring"),
    ("Q", r"医疗|医院|卫生|诊所|健康|养老|护理|社会工作|药房|体检|health|(?-u:\b)hospitals?(?-u:\b)|medical|clinic|care home|nursing|"
          r"social work|dental"),
    ("G", r"物流|运输|快递|仓储|邮政|航空|航运|货运|船务|配送|出行|logistic|transport|shipping|delivery|courier|"
          r"freight|airline|aviation|warehous|postal|railway|trucking"),
    ("H", r"餐饮|酒店|住宿|饭店|餐厅|宾馆|旅馆|民宿|咖啡|茶饮|hospitality|hotel|restaurant|catering|food service|"
          r"cafe|coffee|lodging|(?-u:\b)inn(?-u:\b)"),
    ("E", r"建筑|建设|工程|施工|装修|装饰|土木|路桥|construction|builder|building contractor|civil engineering|"
          r"architecture"),
    ("D", r"电力|能源|燃气|供水|热力|供电|发电|新能源|光伏|energy|utilit|power|electricity|(?-u:\b)gas(?-u:\b)|water supply|"
          r"solar|renewable"),
    ("B", r"采矿|矿业|煤炭|煤矿|石油|天然气开采|矿产|mining|(?-u:\b)coal(?-u:\b)|(?-u:\b)oil(?-u:\b)|petroleum|quarry"),
    ("A", r"农业|林业|畜牧|渔业|养殖|种植|农|agricultur|farming|(?-u:\b)farm|forestry|fishery|fishing|livestock"),
    ("M", r"科研|研究|技术服务|检测|检验|设计院|勘察|研发|research|r ?& ?d|scientific|laborator|"
          r"biotech|testing|engineering services"),
    ("L", r"租赁|商务服务|咨询|广告|人力资源|猎头|法律|律师|会计|审计|旅行社|中介|营销|公关|外包|leasing|rental|"
          r"consult|advertis|marketing|legal|law firm|accounting|audit|staffing|recruit|human resources|(?-u:\b)hr(?-u:\b)|"
          r"outsourc|business services|travel agency"),
    ("N", r"环保|环境|水利|公共设施|园林|绿化|垃圾|环卫|environment|waste|recycl|water conservancy|sanitation"),
    ("O", r"家政|维修|修理|美容|美发|洗浴|洗衣|摄影|婚庆|居民服务|保洁|repair|beauty|salon|hairdress|laundry|"
          r"domestic service|cleaning|personal service"),
    ("R", r"文化|体育|娱乐|传媒|媒体|影视|出版|艺术|演出|旅游|健身|media|entertainment|sport|culture|publishing|"
          r"(?-u:\b)film|music|(?-u:\b)arts?(?-u:\b)|gaming|fitness|broadcast|news"),
)

# Company size: EU head-count bands (micro < 10, small < 50, medium < 250, large >= 250).
SIZE_WORDS = {
    "micro": "micro", "微型": "micro", "微型企业": "micro", "微": "micro", "微企": "micro", "microenterprise": "micro",
    "small": "small", "小型": "small", "小型企业": "small", "小": "small", "小企业": "small",
    "medium": "medium", "mid": "medium", "midsize": "medium", "midsized": "medium", "middle": "medium",
    "midmarket": "medium", "中型": "medium", "中型企业": "medium", "中": "medium", "中等": "medium", "中企业": "medium",
    "large": "large", "big": "large", "enterprise": "large", "大型": "large", "大型企业": "large", "大": "large",
    "大企业": "large", "特大型": "large", "超大型": "large", "集团": "large", "corporate": "large",
}
# Bands that span two classes: the larger class is taken and the row flagged `ambiguous_size`.
AMBIGUOUS_SIZE_WORDS = {
    "sme": "medium", "smes": "medium", "smb": "medium", "中小": "medium", "中小型": "medium", "中小企业": "medium",
    "中小型企业": "medium", "小微": "small", "小微企业": "small", "小微型": "small",
}
