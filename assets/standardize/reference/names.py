"""Reference data for person names: Chinese surnames with their surname readings, honorifics,
placeholders and the syllables that make a Latin token read as pinyin."""

from __future__ import annotations

# Most frequent single-character surnames first (rank decides which token of an ambiguous
# pinyin name such as "Wei Wang" is the family name). Readings are the surname readings,
# which differ from a dictionary's default for 单 曾 解 仇 朴 区 查 ...
SURNAMES = """
王wang 李li 张zhang 刘liu 陈chen 杨yang 黄huang 赵zhao 吴wu 周zhou 徐xu 孙sun 马ma 朱zhu 胡hu 郭guo
何he 林lin 高gao 罗luo 郑zheng 梁liang 谢xie 宋song 唐tang 许xu 韩han 邓deng 冯feng 曹cao 彭peng 曾zeng
肖xiao 田tian 董dong 潘pan 袁yuan 蔡cai 蒋jiang 余yu 于yu 杜du 叶ye 程cheng 魏wei 苏su 吕lu 丁ding 任ren
卢lu 姚yao 沈shen 钟zhong 姜jiang 崔cui 谭tan 陆lu 范fan 汪wang 廖liao 石shi 金jin 韦wei 贾jia 夏xia 付fu
方fang 邹zou 熊xiong 白bai 孟meng 秦qin 邱qiu 侯hou 江jiang 尹yin 薛xue 闫yan 段duan 雷lei 龙long 黎li
史shi 陶tao 贺he 毛mao 郝hao 顾gu 龚gong 邵shao 万wan 覃qin 武wu 钱qian 戴dai 严yan 莫mo 孔kong 向xiang
常chang 汤tang 康kang 易yi 乔qiao 赖lai 文wen 施shi 洪hong 辛xin 柯ke 庄zhuang 葛ge 牛niu 关guan 齐qi
祝zhu 包bao 欧ou 申shen 耿geng 蓝lan 纪ji 甘gan 柴chai 殷yin 俞yu 宁ning 盛sheng 卫wei 温wen 翟zhai
萧xiao 聂nie 章zhang 倪ni 岳yue 樊fan 褚chu 鲁lu 邢xing 阎yan 骆luo 谷gu 左zuo 焦jiao 路lu 裴pei 凌ling
霍huo 虞yu 伍wu 傅fu 游you 梅mei 滕teng 安an 苗miao 成cheng 尚shang 杭hang 艾ai 鲍bao 华hua 房fang
屈qu 符fu 项xiang 靳jin 邝kuang 冉ran 蒲pu 丘qiu 管guan 计ji 卞bian 曲qu 单shan 解xie 仇qiu 朴piao
区ou 查zha 盖ge 乐yue 缪miao 尉yu 召shao 员yun 种chong 秘bi 冼xian 阚kan 隗wei 句gou 车che 藏zang
宿su 折she 过guo 柏bai 薄bo 乜nie 眭sui 晁chao 郎lang 时shi 明ming 童tong 钮niu 颜yan 宫gong 连lian
谈tan 穆mu 邬wu 应ying 舒shu 闵min 冷leng 戚qi 巫wu 麦mai 涂tu 卜bu 詹zhan 祁qi 牟mou 尤you 季ji
陈chen 陳chen 張zhang 劉liu 楊yang 黃huang 趙zhao 吳wu 孫sun 馬ma 鄭zheng 謝xie 許xu 韓han 鄧deng
馮feng 蕭xiao 葉ye 蘇su 呂lu 盧lu 鍾zhong 譚tan 陸lu 範fan 賈jia 鄒zou 龍long 顧gu 龔gong 錢qian
嚴yan 莊zhuang 聶nie 魯lu 駱luo 單shan 區ou 羅luo 曾zeng 劉liu 陶tao 歐ou
"""

# Two-character surnames, recognised before the one-character split.
COMPOUND_SURNAMES = """
欧阳ouyang 司马sima 诸葛zhuge 上官shangguan 东方dongfang 皇甫huangfu 尉迟yuchi 公孙gongsun 慕容murong
长孙zhangsun 宇文yuwen 司徒situ 夏侯xiahou 轩辕xuanyuan 令狐linghu 钟离zhongli 闾丘lvqiu 端木duanmu
南宫nangong 西门ximen 司空sikong 独孤dugu 百里baili 呼延huyan 澹台tantai 公冶gongye 太史taishi
申屠shentu 万俟moqi 赫连helian 拓跋tuoba 第五diwu 濮阳puyang 淳于chunyu 公羊gongyang 东郭dongguo
羊舌yangshe 微生weisheng 梁丘liangqiu 左丘zuoqiu 谷梁guliang 宰父zaifu 巫马wuma 鲜于xianyu 闻人wenren
乐正yuezheng 漆雕qidiao 壤驷rangsi 公良gongliang 亓官qiguan 司寇sikou 颛孙zhuansun 段干duangan
东门dongmen 公西gongxi 归海guihai 呼衍huyan
歐陽ouyang 司馬sima 諸葛zhuge 東方dongfang 尉遲yuchi 公孫gongsun 長孫zhangsun 軒轅xuanyuan
鍾離zhongli 閭丘lvqiu 南宮nangong 西門ximen 獨孤dugu 澹臺tantai 赫連helian 濮陽puyang 鮮于xianyu
聞人wenren 顓孫zhuansun 東郭dongguo 東門dongmen
"""


def _pairs(block: str) -> list[tuple[str, str]]:
    pairs = []
    for item in block.split():
        split = next(i for i, ch in enumerate(item) if ch.isascii())
        pairs.append((item[:split], item[split:]))
    return pairs


SURNAME_PAIRS = _pairs(SURNAMES)
COMPOUND_SURNAME_PAIRS = _pairs(COMPOUND_SURNAMES)

# pinyin spelling -> frequency rank of its most frequent surname (1 = most frequent)
SURNAME_RANK: dict[str, int] = {}
for _rank, (_, _pinyin) in enumerate(SURNAME_PAIRS + COMPOUND_SURNAME_PAIRS, start=1):
    SURNAME_RANK.setdefault(_pinyin.replace("v", "u"), _rank)

# Removed from names and reported in `honorific`; Latin ones are matched case-insensitively,
# map lower-case spelling -> canonical spelling.
LATIN_PREFIX_HONORIFICS = {
    "mr": "Mr", "mister": "Mr", "mrs": "Mrs", "ms": "Ms", "miss": "Miss", "mx": "Mx", "dr": "Dr",
    "doctor": "Dr", "prof": "Prof", "professor": "Prof", "sir": "Sir", "madam": "Madam", "madame": "Madam",
    "mme": "Madam", "mlle": "Miss", "dame": "Dame", "rev": "Rev", "herr": "Mr", "frau": "Mrs",
}
LATIN_SUFFIX_HONORIFICS = {
    "mr": "Mr", "mrs": "Mrs", "ms": "Ms", "miss": "Miss", "dr": "Dr", "prof": "Prof", "sir": "Sir",
    "madam": "Madam", "phd": "PhD", "ph.d": "PhD", "ph.d.": "PhD", "md": "MD", "m.d": "MD", "m.d.": "MD",
    "esq": "Esq", "esq.": "Esq", "mba": "MBA", "cpa": "CPA",
}
CHINESE_SUFFIX_HONORIFICS = (
    "总经理", "董事长", "副总", "总监", "总裁", "先生", "女士", "小姐", "太太", "夫人", "老师", "教授", "博士",
    "医生", "大夫", "律师", "经理", "主任", "老板", "同学", "师傅", "阿姨", "叔叔", "老总", "工",
)
# Only taken off a bare surname (王总, 欧阳董): after a full name they are more likely part of it.
CHINESE_SURNAME_ONLY_HONORIFICS = ("总", "董", "哥", "姐", "工")
CHINESE_PREFIXES = ("尊敬的", "亲爱的", "敬爱的")

# Generational suffixes distinguish father from son, so they stay in `value` (after the family name)
# and are reported in `suffix`, but they are left out of family_name and of every matching key.
GENERATIONAL_SUFFIXES = {"jr": "Jr.", "sr": "Sr.", "ii": "II", "iii": "III", "iv": "IV"}

# Lower-cased, words in any order; a name equal to one of these is not a name.
PLACEHOLDERS = (
    "test", "testing", "tester", "test user", "test name", "demo", "sample", "dummy", "example", "na", "none",
    "null", "nil", "nan", "unknown", "unk", "anonymous", "anon", "customer", "client", "user", "guest",
    "noname", "no name", "name", "full name", "abc", "abcd", "asdf", "qwerty", "foo", "bar", "foo bar",
    "john doe", "jane doe",
    "无", "未知", "不详", "客户", "顾客", "用户", "测试", "匿名", "暂无", "空", "某某", "无名", "无名氏", "佚名",
    "未填", "未填写", "姓名", "待定", "其他", "其它", "保密", "不知道", "会员", "先生", "女士", "小姐",
)
PLACEHOLDER_PATTERNS = (r"x+", r"测试.*", r"test\d*", r"某+", r"(?:ab)?c+", r"a+", r"z+")

# Company words in a person-name field: the record names a company, not a person.
COMPANY_WORDS_ZH = r"公司|集团|有限|工作室|事务所|合作社|商行|中心|协会|学校|医院|银行|大学|研究院|研究所|厂$|店$|部$"
COMPANY_WORDS_LATIN = (
    r"(?i)(?-u:\b)(?:ltd|limited|inc|incorporated|llc|corp|corporation|gmbh|plc|pty|company|holdings|university|"
    r"hospital)(?-u:\b)|(?-u:\b)co\.(?:\s|,|$)|(?-u:\b)(?:l\.l\.c|l\.l\.p|p\.l\.c)(?:\.|(?-u:\b))"
)
# Company names written without a legal form ("金祥物流", "上海辰和科技", "Morris Technologies"): a brand of
# two Han characters or more, or at least one Latin word, then an industry word. Only words that are no
# one's given name or surname (not 建设, 国际, 文化, Baker, Mason), so a person's name is never taken.
COMPANY_INDUSTRY_WORDS_ZH = (
    "科技", "电子", "电器", "电气", "光电", "物流", "快递", "货运", "运输", "软件", "网络", "信息技术", "通信", "数据",
    "贸易", "商贸", "商业", "连锁", "实业", "建材", "工程", "装饰", "化工", "医药", "药业",
    "制药", "生物", "食品", "餐饮", "餐饮管理", "家具", "家居", "机械", "设备", "服饰", "服装", "纺织", "印刷", "包装",
    "塑料", "五金", "汽车配件", "汽配", "咨询", "传媒", "广告", "置业", "地产", "物业", "投资", "控股", "环保", "能源",
    "农业", "教育", "培训", "旅游", "酒业", "超市", "商场", "酒店", "制造", "材料", "仪器",
)
COMPANY_INDUSTRY_WORDS_LATIN = (
    "technologies", "technology", "software", "systems", "solutions", "networks", "electronics", "logistics",
    "construction", "consulting", "trading", "retail", "catering", "apparel", "chemicals", "pharmaceuticals",
    "foods", "commerce", "environmental", "engineering", "manufacturing", "industries", "enterprises",
    "information technology", "building materials", "auto parts", "real estate", "properties", "realty",
    "furniture", "textiles", "plastics", "motors", "freight", "telecom", "communications", "healthcare",
    "ventures", "investments", "supplies", "imports", "exports", "services", "group",
)

# Lower-cased when they sit inside a Western family name ("Ludwig van Beethoven").
PARTICLES = (
    "van", "von", "der", "den", "de", "del", "della", "degli", "di", "da", "du", "des", "la", "le", "dos",
    "das", "do", "ten", "ter", "het", "bin", "binti", "al", "el", "af", "zu", "vom", "zum", "zur", "st.",
)

# Every Hanyu Pinyin syllable without tones (ü written u, v or yu), longest first for the regex.
PINYIN_SYLLABLES = tuple(sorted(set("""
a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao ce cen
ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo ci
cong cou cu cuan cui cun cuo da dai dan dang dao de dei den deng di dia dian diao die ding diu dong dou du
duan dui dun duo e ei en eng er fa fan fang fei fen feng fo fou fu ga gai gan gang gao ge gei gen geng gong
gou gu gua guai guan guang gui gun guo ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang
hui hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken
keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei leng li lia lian liang liao lie
lin ling liu lo long lou lu luan lue lun luo lv lve lyu ma mai man mang mao me mei men meng mi mian miao
mie min ming miu mo mou mu na nai nan nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong
nou nu nuan nue nun nuo nv nve nyu o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou
pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ru
rua ruan rui run ruo sa sai san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi shou
shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te teng ti
tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wu xi xia xian xiang xiao
xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai
zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai
zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo
""".split()), key=lambda s: (-len(s), s)))
