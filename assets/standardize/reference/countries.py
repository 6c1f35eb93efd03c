"""ISO 3166-1 countries: alpha-2, alpha-3, English short name, plus the other spellings sources use
(Chinese names, official long names, abbreviations). Aliases are matched case- and punctuation-insensitively."""

from __future__ import annotations

ISO_3166 = """
AD AND Andorra|AE ARE United Arab Emirates|AF AFG Afghanistan|AG ATG Antigua and Barbuda|AI AIA Anguilla
AL ALB Albania|AM ARM Armenia|AO AGO Angola|AQ ATA Antarctica|AR ARG Argentina|AS ASM American Samoa
AT AUT Austria|AU AUS Australia|AW ABW Aruba|AX ALA Aland Islands|AZ AZE Azerbaijan|BA BIH Bosnia and Herzegovina
BB BRB Barbados|BD BGD Bangladesh|BE BEL Belgium|BF BFA Burkina Faso|BG BGR Bulgaria|BH BHR Bahrain|BI BDI Burundi
BJ BEN Benin|BL BLM Saint Barthelemy|BM BMU Bermuda|BN BRN Brunei|BO BOL Bolivia|BQ BES Caribbean Netherlands
BR BRA Brazil|BS BHS Bahamas|BT BTN Bhutan|BV BVT Bouvet Island|BW BWA Botswana|BY BLR Belarus|BZ BLZ Belize
CA CAN Canada|CC CCK Cocos Islands|CD COD Democratic Republic of the Congo|CF CAF Central African Republic
CG COG Republic of the Congo|CH CHE Switzerland|CI CIV Cote d'Ivoire|CK COK Cook Islands|CL CHL Chile|CM CMR Cameroon
CN CHN China|CO COL Colombia|CR CRI Costa Rica|CU CUB Cuba|CV CPV Cabo Verde|CW CUW Curacao|CX CXR Christmas Island
CY CYP Cyprus|CZ CZE Czechia|DE DEU Germany|DJ DJI Djibouti|DK DNK Denmark|DM DMA Dominica|DO DOM Dominican Republic
DZ DZA Algeria|EC ECU Ecuador|EE EST Estonia|EG EGY Egypt|EH ESH Western Sahara|ER ERI Eritrea|ES ESP Spain
ET ETH Ethiopia|FI FIN Finland|FJ FJI Fiji|FK FLK Falkland Islands|FM FSM Micronesia|FO FRO Faroe Islands|FR FRA France
GA GAB Gabon|GB GBR United Kingdom|GD GRD Grenada|GE GEO Georgia|GF GUF French Guiana|GG GGY Guernsey|GH GHA Ghana
GI GIB Gibraltar|GL GRL Greenland|GM GMB Gambia|GN GIN Guinea|GP GLP Guadeloupe|GQ GNQ Equatorial Guinea|GR GRC Greece
GS SGS South Georgia and the South Sandwich Islands|GT GTM Guatemala|GU GUM Guam|GW GNB Guinea-Bissau|GY GUY Guyana
HK HKG Hong Kong|HM HMD Heard Island and McDonald Islands|HN HND Honduras|HR HRV Croatia|HT HTI Haiti|HU HUN Hungary
ID IDN Indonesia|IE IRL Ireland|IL ISR Israel|IM IMN Isle of Man|IN IND India|IO IOT British Indian Ocean Territory
IQ IRQ Iraq|IR IRN Iran|IS ISL Iceland|IT ITA Italy|JE JEY Jersey|JM JAM Jamaica|JO JOR Jordan|JP JPN Japan|KE KEN Kenya
KG KGZ Kyrgyzstan|KH KHM Cambodia|KI KIR Kiribati|KM COM Comoros|KN KNA Saint Kitts and Nevis|KP PRK North Korea
KR KOR South Korea|KW KWT Kuwait|KY CYM Cayman Islands|KZ KAZ Kazakhstan|LA LAO Laos|LB LBN Lebanon|LC LCA Saint Lucia
LI LIE Liechtenstein|LK LKA Sri Lanka|LR LBR Liberia|LS LSO Lesotho|LT LTU Lithuania|LU LUX Luxembourg|LV LVA Latvia
LY LBY Libya|MA MAR Morocco|MC MCO Monaco|MD MDA Moldova|ME MNE Montenegro|MF MAF Saint Martin|MG MDG Madagascar
MH MHL Marshall Islands|MK MKD North Macedonia|ML MLI Mali|MM MMR Myanmar|MN MNG Mongolia|MO MAC Macao
MP MNP Northern Mariana Islands|MQ MTQ Martinique|MR MRT Mauritania|MS MSR Montserrat|MT MLT Malta|MU MUS Mauritius
MV MDV Maldives|MW MWI Malawi|MX MEX Mexico|MY MYS Malaysia|MZ MOZ Mozambique|NA NAM Namibia|NC NCL New Caledonia
NE NER Niger|NF NFK Norfolk Island|NG NGA Nigeria|NI NIC Nicaragua|NL NLD Netherlands|NO NOR Norway|NP NPL Nepal
NR NRU Nauru|NU NIU Niue|NZ NZL New Zealand|OM OMN Oman|PA PAN Panama|PE PER Peru|PF PYF French Polynesia
PG PNG Papua New Guinea|PH PHL Philippines|PK PAK Pakistan|PL POL Poland|PM SPM Saint Pierre and Miquelon
PN PCN Pitcairn|PR PRI Puerto Rico|PS PSE Palestine|PT PRT Portugal|PW PLW Palau|PY PRY Paraguay|QA QAT Qatar
RE REU Reunion|RO ROU Romania|RS SRB Serbia|RU RUS Russia|RW RWA Rwanda|SA SAU Saudi Arabia|SB SLB Solomon Islands
SC SYC Seychelles|SD SDN Sudan|SE SWE Sweden|SG SGP Singapore|SH SHN Saint Helena|SI SVN Slovenia
SJ SJM Svalbard and Jan Mayen|SK SVK Slovakia|SL SLE Sierra Leone|SM SMR San Marino|SN SEN Senegal|SO SOM Somalia
SR SUR Suriname|SS SSD South Sudan|ST STP Sao Tome and Principe|SV SLV El Salvador|SX SXM Sint Maarten|SY SYR Syria
SZ SWZ Eswatini|TC TCA Turks and Caicos Islands|TD TCD Chad|TF ATF French Southern Territories|TG TGO Togo
TH THA Thailand|TJ TJK Tajikistan|TK TKL Tokelau|TL TLS Timor-Leste|TM TKM Turkmenistan|TN TUN Tunisia|TO TON Tonga
TR TUR Turkey|TT TTO Trinidad and Tobago|TV TUV Tuvalu|TW TWN Taiwan|TZ TZA Tanzania|UA UKR Ukraine|UG UGA Uganda
UM UMI United States Minor Outlying Islands|US USA United States|UY URY Uruguay|UZ UZB Uzbekistan|VA VAT Vatican City
VC VCT Saint Vincent and the Grenadines|VE VEN Venezuela|VG VGB British Virgin Islands|VI VIR US Virgin Islands
VN VNM Vietnam|VU VUT Vanuatu|WF WLF Wallis and Futuna|WS WSM Samoa|YE YEM Yemen|YT MYT Mayotte|ZA ZAF South Africa
ZM ZMB Zambia|ZW ZWE Zimbabwe
"""

# Further spellings per alpha-2 code, "|"-separated.
ALIASES = {
    "CN": "中国|中华人民共和国|中国大陆|大陆|内地|China Mainland|Mainland China|PRC|P.R.C.|P.R. China|PR China|"
          "People's Republic of China|Peoples Republic of China|Zhongguo|Chine",
    "US": "美国|美利坚合众国|USA|U.S.A.|U.S.|United States of America|America|United States (US)|the States",
    "GB": "英国|大不列颠及北爱尔兰联合王国|UK|U.K.|Great Britain|Britain|England|Scotland|Wales|Northern Ireland|"
          "United Kingdom of Great Britain and Northern Ireland",
    "AU": "澳大利亚|澳洲|Commonwealth of Australia",
    "HK": "香港|中国香港|香港特别行政区|中国香港特别行政区|Hong Kong SAR|Hong Kong, China|HKSAR|Hongkong",
    "MO": "澳门|中国澳门|澳门特别行政区|Macau|Macau SAR|Macao SAR|Macao, China",
    "TW": "台湾|台灣|中国台湾|中華民國|Taiwan, China|Chinese Taipei|Republic of China|Taiwan Province of China",
    "SG": "新加坡|Republic of Singapore",
    "JP": "日本|Nippon|Nihon",
    "KR": "韩国|韓國|大韩民国|Korea|Republic of Korea|Korea, Republic of|Korea (South)",
    "KP": "朝鲜|Democratic People's Republic of Korea|DPRK",
    "DE": "德国|Deutschland|Federal Republic of Germany",
    "FR": "法国|République française",
    "CA": "加拿大",
    "NZ": "新西兰|Aotearoa",
    "IN": "印度|Bharat",
    "IT": "意大利|Italia",
    "ES": "西班牙|España|Espana",
    "NL": "荷兰|Holland|The Netherlands",
    "BE": "比利时",
    "CH": "瑞士|Schweiz|Suisse|Swiss Confederation",
    "AT": "奥地利|Österreich",
    "SE": "瑞典|Sverige",
    "NO": "挪威|Norge",
    "DK": "丹麦|Danmark",
    "FI": "芬兰|Suomi",
    "IE": "爱尔兰|Eire|Republic of Ireland",
    "PT": "葡萄牙",
    "PL": "波兰|Polska",
    "RU": "俄罗斯|俄国|Russian Federation|Rossiya",
    "UA": "乌克兰",
    "TR": "土耳其|Türkiye|Turkiye",
    "GR": "希腊|Hellas",
    "CZ": "捷克|Czech Republic",
    "HU": "匈牙利",
    "IL": "以色列",
    "AE": "阿联酋|阿拉伯联合酋长国|UAE|U.A.E.",
    "SA": "沙特|沙特阿拉伯|KSA",
    "QA": "卡塔尔",
    "EG": "埃及",
    "ZA": "南非|RSA",
    "NG": "尼日利亚",
    "KE": "肯尼亚",
    "BR": "巴西|Brasil",
    "MX": "墨西哥|México",
    "AR": "阿根廷",
    "CL": "智利",
    "CO": "哥伦比亚",
    "PE": "秘鲁",
    "MY": "马来西亚|Malaya",
    "TH": "泰国|Siam",
    "VN": "越南|Viet Nam",
    "PH": "菲律宾",
    "ID": "印度尼西亚|印尼",
    "PK": "巴基斯坦",
    "BD": "孟加拉|孟加拉国",
    "LK": "斯里兰卡",
    "NP": "尼泊尔",
    "MN": "蒙古|蒙古国",
    "KZ": "哈萨克斯坦",
    "KH": "柬埔寨|Kampuchea",
    "LA": "老挝|Lao PDR|Lao People's Democratic Republic",
    "MM": "缅甸|Burma",
    "IR": "伊朗|Persia|Islamic Republic of Iran",
    "IQ": "伊拉克",
    "LU": "卢森堡",
    "IS": "冰岛",
    "CY": "塞浦路斯",
    "MT": "马耳他",
    "FJ": "斐济",
    "CI": "科特迪瓦|Ivory Coast|Cote dIvoire",
    "VA": "梵蒂冈|Holy See|Vatican",
    "SZ": "Swaziland",
    "MK": "Macedonia",
    "TL": "East Timor",
    "CV": "Cape Verde",
    "FM": "Federated States of Micronesia",
    "CD": "刚果(金)|DR Congo|DRC|Congo-Kinshasa",
    "CG": "刚果(布)|Congo|Congo-Brazzaville",
}
