"""First-level divisions and major Chinese cities.

Chinese provinces: GB/T 2260 code, ISO 3166-2 suffix, official full name, then aliases (short name,
pinyin, English and traditional spellings, one-character abbreviation).
Other countries: ISO 3166-2 suffix, then names.
"""

from __future__ import annotations

CN_PROVINCES = """
11 BJ 北京市 北京|Beijing|Peking|京
12 TJ 天津市 天津|Tianjin|Tientsin|津
13 HE 河北省 河北|Hebei|冀
14 SX 山西省 山西|Shanxi|晋
15 NM 内蒙古自治区 内蒙古|内蒙|內蒙古|Neimenggu|Nei Mongol|Inner Mongolia|Neimeng|蒙
21 LN 辽宁省 辽宁|遼寧|Liaoning|辽
22 JL 吉林省 吉林|Jilin|吉
23 HL 黑龙江省 黑龙江|黑龍江|Heilongjiang|黑
31 SH 上海市 上海|Shanghai|沪|滬
32 JS 江苏省 江苏|江蘇|Jiangsu|苏
33 ZJ 浙江省 浙江|Zhejiang|浙
34 AH 安徽省 安徽|Anhui|皖
35 FJ 福建省 福建|Fujian|闽
36 JX 江西省 江西|Jiangxi|赣
37 SD 山东省 山东|山東|Shandong|鲁
41 HA 河南省 河南|Henan|豫
42 HB 湖北省 湖北|Hubei|鄂
43 HN 湖南省 湖南|Hunan|湘
44 GD 广东省 广东|廣東|Guangdong|Kwangtung|粤
45 GX 广西壮族自治区 广西|廣西|Guangxi|桂
46 HI 海南省 海南|Hainan|琼
50 CQ 重庆市 重庆|重慶|Chongqing|Chungking|渝
51 SC 四川省 四川|Sichuan|Szechuan|Szechwan|川|蜀
52 GZ 贵州省 贵州|貴州|Guizhou|黔
53 YN 云南省 云南|雲南|Yunnan|滇
54 XZ 西藏自治区 西藏|Xizang|Tibet|藏
61 SN 陕西省 陕西|陝西|Shaanxi|陕
62 GS 甘肃省 甘肃|甘肅|Gansu|陇
63 QH 青海省 青海|Qinghai|青
64 NX 宁夏回族自治区 宁夏|寧夏|Ningxia|宁
65 XJ 新疆维吾尔自治区 新疆|Xinjiang|新
71 TW 台湾省 台湾|臺灣|台灣|Taiwan|台
81 HK 香港特别行政区 香港|Hong Kong|Hongkong|Xianggang|港
82 MO 澳门特别行政区 澳门|澳門|Macau|Macao|Aomen|澳
"""

US_STATES = """
AL Alabama|AK Alaska|AZ Arizona|AR Arkansas|CA California|CO Colorado|CT Connecticut|DE Delaware|FL Florida
GA Georgia|HI Hawaii|ID Idaho|IL Illinois|IN Indiana|IA Iowa|KS Kansas|KY Kentucky|LA Louisiana|ME Maine
MD Maryland|MA Massachusetts|MI Michigan|MN Minnesota|MS Mississippi|MO Missouri|MT Montana|NE Nebraska
NV Nevada|NH New Hampshire|NJ New Jersey|NM New Mexico|NY New York|NC North Carolina|ND North Dakota|OH Ohio
OK Oklahoma|OR Oregon|PA Pennsylvania|RI Rhode Island|SC South Carolina|SD South Dakota|TN Tennessee|TX Texas
UT Utah|VT Vermont|VA Virginia|WA Washington|WV West Virginia|WI Wisconsin|WY Wyoming|DC District of Columbia
PR Puerto Rico|GU Guam|VI US Virgin Islands|AS American Samoa|MP Northern Mariana Islands
"""
US_ALIASES = {
    "CA": "Calif|Cal|加州|加利福尼亚", "NY": "纽约|纽约州", "TX": "Tex|德州|得克萨斯", "WA": "华盛顿州|Wash",
    "DC": "Washington DC|Washington D.C.|D.C.", "MA": "Mass|麻省|马萨诸塞", "FL": "Fla|佛罗里达", "PA": "Penn|Penna",
    "IL": "Ill|伊利诺伊", "MI": "Mich", "AZ": "Ariz", "CO": "Colo", "NJ": "新泽西", "NV": "Nev|内华达",
}

AU_STATES = """
NSW New South Wales|VIC Victoria|QLD Queensland|WA Western Australia|SA South Australia|TAS Tasmania
ACT Australian Capital Territory|NT Northern Territory
"""
AU_ALIASES = {"NSW": "新南威尔士|新南威尔士州", "VIC": "Vic.|维多利亚|维多利亚州", "QLD": "Qld.|Queensland State|昆士兰",
              "TAS": "Tas.", "WA": "西澳", "SA": "南澳"}

GB_NATIONS = """
ENG England|SCT Scotland|WLS Wales|NIR Northern Ireland
"""
GB_ALIASES = {"ENG": "英格兰|Eng", "SCT": "苏格兰|Scot", "WLS": "威尔士|Cymru", "NIR": "北爱尔兰|N. Ireland|NI|Ulster"}

CA_PROVINCES = """
AB Alberta|BC British Columbia|MB Manitoba|NB New Brunswick|NL Newfoundland and Labrador|NS Nova Scotia
NT Northwest Territories|NU Nunavut|ON Ontario|PE Prince Edward Island|QC Quebec|SK Saskatchewan|YT Yukon
"""
CA_ALIASES = {"ON": "Ont|安大略", "QC": "Que|PQ|Québec|魁北克", "BC": "B.C.|不列颠哥伦比亚|卑诗", "AB": "Alta|阿尔伯塔",
              "NL": "Newfoundland", "PE": "PEI|P.E.I."}

# Major Chinese cities: name without 市, GB/T 2260 province code, pinyin / English spellings.
# Where two cities share a pinyin spelling (苏州/宿州, 福州/抚州, 泰州/台州) the larger one takes it.
CN_CITIES = """
北京 11 Beijing|Peking
上海 31 Shanghai
天津 12 Tianjin|Tientsin
重庆 50 Chongqing|Chungking
广州 44 Guangzhou|Canton
深圳 44 Shenzhen
东莞 44 Dongguan
佛山 44 Foshan
珠海 44 Zhuhai
中山 44 Zhongshan
惠州 44 Huizhou
汕头 44 Shantou|Swatow
江门 44 Jiangmen
湛江 44 Zhanjiang
杭州 33 Hangzhou
宁波 33 Ningbo
温州 33 Wenzhou
绍兴 33 Shaoxing
嘉兴 33 Jiaxing
金华 33 Jinhua
台州 33 Taizhou
南京 32 Nanjing|Nanking
苏州 32 Suzhou|Soochow
无锡 32 Wuxi
常州 32 Changzhou
南通 32 Nantong
徐州 32 Xuzhou
扬州 32 Yangzhou
盐城 32 Yancheng
成都 51 Chengdu
绵阳 51 Mianyang
武汉 42 Wuhan
宜昌 42 Yichang
襄阳 42 Xiangyang
西安 61 Xian|Xi'an
长沙 43 Changsha
株洲 43 Zhuzhou
郑州 41 Zhengzhou
洛阳 41 Luoyang
济南 37 Jinan
青岛 37 Qingdao|Tsingtao
烟台 37 Yantai
潍坊 37 Weifang
临沂 37 Linyi
沈阳 21 Shenyang|Mukden
大连 21 Dalian
哈尔滨 23 Harbin|Haerbin
长春 22 Changchun
吉林 22 Jilin City
石家庄 13 Shijiazhuang
唐山 13 Tangshan
保定 13 Baoding
太原 14 Taiyuan
合肥 34 Hefei
芜湖 34 Wuhu
福州 35 Fuzhou
厦门 35 Xiamen|Amoy
泉州 35 Quanzhou
南昌 36 Nanchang
赣州 36 Ganzhou
南宁 45 Nanning
桂林 45 Guilin
柳州 45 Liuzhou
昆明 53 Kunming
贵阳 52 Guiyang
海口 46 Haikou
三亚 46 Sanya
兰州 62 Lanzhou
西宁 63 Xining
银川 64 Yinchuan
乌鲁木齐 65 Urumqi|Wulumuqi|Urumchi
拉萨 54 Lhasa|Lasa
呼和浩特 15 Hohhot|Huhehaote
包头 15 Baotou
鄂尔多斯 15 Ordos|Eerduosi
香港 81 Hong Kong|Hongkong
澳门 82 Macau|Macao
台北 71 Taipei|Taibei
高雄 71 Kaohsiung|Gaoxiong
"""

# Common city spellings outside China that should collapse onto one name.
LATIN_CITY_ALIASES = {
    "nyc": "New York", "new york city": "New York", "newyork": "New York", "la": "Los Angeles",
    "sf": "San Francisco", "san fran": "San Francisco", "washington dc": "Washington", "washington d c": "Washington",
    "st louis": "St. Louis", "saint louis": "St. Louis", "philly": "Philadelphia", "vegas": "Las Vegas",
    "londres": "London", "伦敦": "London", "纽约": "New York", "洛杉矶": "Los Angeles", "旧金山": "San Francisco",
    "悉尼": "Sydney", "墨尔本": "Melbourne", "多伦多": "Toronto", "温哥华": "Vancouver", "新加坡": "Singapore",
    "东京": "Tokyo", "首尔": "Seoul", "巴黎": "Paris", "柏林": "Berlin",
}
