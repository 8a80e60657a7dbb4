package entity

// placesTable lists the places: countries and territories, the regions shops use,
// Chinese provinces and cities, US states and the world cities customers name
// most. Its format is described in its first lines.
const placesTable = `# Places: countries and territories, regions shops use, Chinese provinces and
# cities, US states and the cities customers name most. Written for Concierge;
# codes follow ISO 3166-1 / 3166-2 where one exists, continents the UN M49
# geoscheme, "Middle East" the common usage (Western Asia, Egypt, Iran).
#
# Format, one entity a line:  id | English names | Chinese names | parents
#   names  ';'-separated; the first of each language is its display name;
#          ^Name: only when written with a capital (Turkey, not turkey);
#          =Name: only in exactly this case (US, not us);
#          name(s): the name and its plural.
#   parents  space-separated ids of the places that contain this one.
#   id "-"   stop phrases: text that contains a place name but names no place.
# City entries under a Chinese province also match with 市 appended.

# ---- world and continents ----
region:world | worldwide; world wide; all over the world; around the world; anywhere in the world; every country; globally; global shipping | 全球; 全世界; 世界各地; 世界各国; 国内外 |
region:asia | Asia | 亚洲; 亚洲大陆 | region:world region:apac
region:east_asia | East Asia | 东亚 | region:asia
region:sea | Southeast Asia; South-East Asia; South East Asia; SE Asia | 东南亚 | region:asia
region:south_asia | South Asia; Indian subcontinent | 南亚 | region:asia
region:central_asia | Central Asia | 中亚 | region:asia
region:middle_east | the Middle East; Middle East; Mideast; Near East | 中东; 中东地区 | region:world
region:gulf | the Gulf states; Gulf states; Gulf countries; GCC | 海湾国家; 海湾地区 | region:middle_east
region:europe | Europe; European countries; continental Europe; mainland Europe | 欧洲; 欧洲大陆; 欧洲国家 | region:world region:europe_america
region:eu | the EU; EU; E.U.; European Union | 欧盟; 欧盟国家 | region:europe
region:nordics | the Nordic countries; Nordic countries; Nordics; Nordic region | 北欧; 北欧国家 | region:europe
region:scandinavia | Scandinavia | 斯堪的纳维亚 | region:nordics
region:americas | the Americas; Americas | 美洲; 美洲大陆 | region:world
region:north_america | North America | 北美; 北美洲 | region:americas region:europe_america
region:central_america | Central America | 中美洲 | region:americas region:latin_america
region:caribbean | the Caribbean; Caribbean | 加勒比; 加勒比地区; 加勒比海 | region:americas
region:latin_america | Latin America | 拉美; 拉丁美洲 | region:americas
region:south_america | South America | 南美; 南美洲 | region:americas region:latin_america
region:oceania | Oceania; Australasia | 大洋洲 | region:world region:apac
region:anz | Australia and New Zealand; Australia & New Zealand | 澳新 | region:oceania
region:africa | Africa | 非洲; 非洲大陆 | region:world
region:apac | Asia-Pacific; Asia Pacific; APAC | 亚太; 亚太地区 | region:world
region:europe_america | Europe and North America; Europe and America | 欧美; 欧美国家; 欧美地区 | region:world

# ---- China ----
CN | China; People's Republic of China; PRC; P.R. China; P.R.C. | 中国; 中华人民共和国 | region:east_asia
region:cn_mainland | mainland China; Chinese mainland; China mainland; the mainland; China (mainland) | 中国大陆; 大陆; 内地; 中国内地; 国内; 大陆地区 | CN
region:hmt | Hong Kong, Macau and Taiwan; Hong Kong, Macao and Taiwan; Hong Kong, Macau, and Taiwan; HK, Macau and Taiwan | 港澳台; 港澳台地区 | region:east_asia
region:hkmo | Hong Kong and Macau; Hong Kong and Macao | 港澳; 港澳地区 | region:hmt
HK | Hong Kong; Hongkong; HK; Hong Kong SAR; HKSAR | 香港; 中国香港; 香港特别行政区; 香港特區 | region:hkmo
MO | Macau; Macao; Macau SAR | 澳门; 澳門; 中国澳门; 澳门特别行政区 | region:hkmo
TW | Taiwan; Taiwan, China; Chinese Taipei | 台湾; 臺灣; 台灣; 中国台湾; 台湾地区 | region:hmt
city:taipei | Taipei | 台北; 臺北 | TW
city:kaohsiung | Kaohsiung | 高雄 | TW
city:taichung | Taichung | 台中; 臺中 | TW
region:cn_north | North China | 华北; 华北地区 | region:cn_mainland
region:cn_northeast | Northeast China; Manchuria | 东北; 东北地区; 东三省 | region:cn_mainland
region:cn_east | East China | 华东; 华东地区 | region:cn_mainland
region:cn_central | Central China | 华中; 华中地区 | region:cn_mainland
region:cn_south | South China | 华南; 华南地区 | region:cn_mainland
region:cn_southwest | Southwest China | 西南; 西南地区 | region:cn_mainland
region:cn_northwest | Northwest China | 西北; 西北地区 | region:cn_mainland
region:yrd | the Yangtze River Delta; Yangtze River Delta; Yangtze Delta | 长三角; 长江三角洲; 江浙沪皖; 苏浙沪皖 | region:cn_east
region:jzh | Jiangsu, Zhejiang and Shanghai | 江浙沪; 苏浙沪 | region:yrd
region:jz | Jiangsu and Zhejiang | 江浙 | region:jzh
region:jjj | Beijing, Tianjin and Hebei; Jing-Jin-Ji | 京津冀 | region:cn_north
region:prd | the Pearl River Delta; Pearl River Delta | 珠三角; 珠江三角洲 | CN-GD
CN-BJ | Beijing; Peking | 北京; 北京市 | region:jjj
CN-TJ | Tianjin | 天津; 天津市 | region:jjj
CN-HE | Hebei | 河北; 河北省 | region:jjj
CN-SX | Shanxi | 山西; 山西省 | region:cn_north
CN-NM | Inner Mongolia; Nei Mongol | 内蒙古; 内蒙; 内蒙古自治区 | region:cn_north
CN-LN | Liaoning | 辽宁; 辽宁省 | region:cn_northeast
CN-JL | Jilin | 吉林; 吉林省 | region:cn_northeast
CN-HL | Heilongjiang | 黑龙江; 黑龙江省 | region:cn_northeast
CN-SH | Shanghai | 上海; 上海市 | region:jzh
CN-JS | Jiangsu | 江苏; 江苏省 | region:jz
CN-ZJ | Zhejiang | 浙江; 浙江省 | region:jz
CN-AH | Anhui | 安徽; 安徽省 | region:yrd
CN-FJ | Fujian; Fukien | 福建; 福建省 | region:cn_east
CN-JX | Jiangxi | 江西; 江西省 | region:cn_east
CN-SD | Shandong | 山东; 山东省 | region:cn_east
CN-HA | Henan | 河南; 河南省 | region:cn_central
CN-HB | Hubei | 湖北; 湖北省 | region:cn_central
CN-HN | Hunan | 湖南; 湖南省 | region:cn_central
CN-GD | Guangdong | 广东; 广东省 | region:cn_south
CN-GX | Guangxi | 广西; 广西壮族自治区; 广西省 | region:cn_south
CN-HI | Hainan | 海南; 海南省 | region:cn_south
CN-CQ | Chongqing; Chungking | 重庆; 重庆市 | region:cn_southwest
CN-SC | Sichuan; Szechuan; Szechwan | 四川; 四川省 | region:cn_southwest
CN-GZ | Guizhou | 贵州; 贵州省 | region:cn_southwest
CN-YN | Yunnan | 云南; 云南省 | region:cn_southwest
CN-XZ | Tibet; Xizang | 西藏; 西藏自治区 | region:cn_southwest
CN-SN | Shaanxi | 陕西; 陕西省 | region:cn_northwest
CN-GS | Gansu | 甘肃; 甘肃省 | region:cn_northwest
CN-QH | Qinghai | 青海; 青海省 | region:cn_northwest
CN-NX | Ningxia | 宁夏; 宁夏回族自治区 | region:cn_northwest
CN-XJ | Xinjiang | 新疆; 新疆维吾尔自治区 | region:cn_northwest

# Chinese cities (prefecture level, plus Yiwu), each under its province.
city:shijiazhuang | Shijiazhuang | 石家庄 | CN-HE
city:tangshan | Tangshan | 唐山 | CN-HE
city:baoding | Baoding | 保定 | CN-HE
city:handan | Handan | 邯郸 | CN-HE
city:langfang | Langfang | 廊坊 | CN-HE
city:cangzhou | Cangzhou | 沧州 | CN-HE
city:qinhuangdao | Qinhuangdao | 秦皇岛 | CN-HE
city:taiyuan | Taiyuan | 太原 | CN-SX
city:datong | Datong | 大同 | CN-SX
city:hohhot | Hohhot; Huhhot | 呼和浩特 | CN-NM
city:baotou | Baotou | 包头 | CN-NM
city:ordos | Ordos | 鄂尔多斯 | CN-NM
city:shenyang | Shenyang | 沈阳 | CN-LN
city:dalian | Dalian | 大连 | CN-LN
city:anshan | Anshan | 鞍山 | CN-LN
city:changchun | Changchun | 长春 | CN-JL
city:jilin | Jilin City | 吉林市 | CN-JL
city:harbin | Harbin | 哈尔滨 | CN-HL
city:daqing | Daqing | 大庆 | CN-HL
city:nanjing | Nanjing; Nanking | 南京 | CN-JS
city:suzhou | Suzhou | 苏州 | CN-JS
city:wuxi | Wuxi | 无锡 | CN-JS
city:changzhou | Changzhou | 常州 | CN-JS
city:nantong | Nantong | 南通 | CN-JS
city:xuzhou | Xuzhou | 徐州 | CN-JS
city:yangzhou | Yangzhou | 扬州 | CN-JS
city:yancheng | Yancheng | 盐城 | CN-JS
city:zhenjiang | Zhenjiang | 镇江 | CN-JS
city:taizhou_js | Taizhou, Jiangsu | 泰州 | CN-JS
city:lianyungang | Lianyungang | 连云港 | CN-JS
city:huaian | Huai'an; Huaian | 淮安 | CN-JS
city:hangzhou | Hangzhou | 杭州 | CN-ZJ
city:ningbo | Ningbo | 宁波 | CN-ZJ
city:wenzhou | Wenzhou | 温州 | CN-ZJ
city:shaoxing | Shaoxing | 绍兴 | CN-ZJ
city:jiaxing | Jiaxing | 嘉兴 | CN-ZJ
city:jinhua | Jinhua | 金华 | CN-ZJ
city:taizhou_zj | Taizhou, Zhejiang | 台州 | CN-ZJ
city:huzhou | Huzhou | 湖州 | CN-ZJ
city:yiwu | Yiwu | 义乌 | CN-ZJ
city:hefei | Hefei | 合肥 | CN-AH
city:wuhu | Wuhu | 芜湖 | CN-AH
city:bengbu | Bengbu | 蚌埠 | CN-AH
city:fuzhou | Fuzhou | 福州 | CN-FJ
city:xiamen | Xiamen; Amoy | 厦门 | CN-FJ
city:quanzhou | Quanzhou | 泉州 | CN-FJ
city:zhangzhou | Zhangzhou | 漳州 | CN-FJ
city:putian | Putian | 莆田 | CN-FJ
city:nanchang | Nanchang | 南昌 | CN-JX
city:ganzhou | Ganzhou | 赣州 | CN-JX
city:jiujiang | Jiujiang | 九江 | CN-JX
city:jingdezhen | Jingdezhen | 景德镇 | CN-JX
city:jinan | Jinan | 济南 | CN-SD
city:qingdao | Qingdao; Tsingtao | 青岛 | CN-SD
city:yantai | Yantai | 烟台 | CN-SD
city:weifang | Weifang | 潍坊 | CN-SD
city:linyi | Linyi | 临沂 | CN-SD
city:zibo | Zibo | 淄博 | CN-SD
city:jining | Jining | 济宁 | CN-SD
city:weihai | Weihai | 威海 | CN-SD
city:zhengzhou | Zhengzhou | 郑州 | CN-HA
city:luoyang | Luoyang | 洛阳 | CN-HA
city:xinxiang | Xinxiang | 新乡 | CN-HA
city:wuhan | Wuhan | 武汉 | CN-HB
city:yichang | Yichang | 宜昌 | CN-HB
city:xiangyang | Xiangyang | 襄阳 | CN-HB
city:changsha | Changsha | 长沙 | CN-HN
city:zhuzhou | Zhuzhou | 株洲 | CN-HN
city:yueyang | Yueyang | 岳阳 | CN-HN
city:hengyang | Hengyang | 衡阳 | CN-HN
city:changde | Changde | 常德 | CN-HN
city:guangzhou | Guangzhou; ^Canton | 广州 | CN-GD
city:shenzhen | Shenzhen | 深圳 | CN-GD
city:dongguan | Dongguan | 东莞 | CN-GD
city:foshan | Foshan | 佛山 | CN-GD
city:zhuhai | Zhuhai | 珠海 | CN-GD
city:huizhou | Huizhou | 惠州 | CN-GD
city:zhongshan | Zhongshan | 中山 | CN-GD
city:jiangmen | Jiangmen | 江门 | CN-GD
city:shantou | Shantou; Swatow | 汕头 | CN-GD
city:zhanjiang | Zhanjiang | 湛江 | CN-GD
city:zhaoqing | Zhaoqing | 肇庆 | CN-GD
city:maoming | Maoming | 茂名 | CN-GD
city:jieyang | Jieyang | 揭阳 | CN-GD
city:chaozhou | Chaozhou | 潮州 | CN-GD
city:nanning | Nanning | 南宁 | CN-GX
city:liuzhou | Liuzhou | 柳州 | CN-GX
city:guilin | Guilin | 桂林 | CN-GX
city:beihai | Beihai | 北海 | CN-GX
city:haikou | Haikou | 海口 | CN-HI
city:sanya | Sanya | 三亚 | CN-HI
city:chengdu | Chengdu | 成都 | CN-SC
city:mianyang | Mianyang | 绵阳 | CN-SC
city:yibin | Yibin | 宜宾 | CN-SC
city:nanchong | Nanchong | 南充 | CN-SC
city:luzhou | Luzhou | 泸州 | CN-SC
city:guiyang | Guiyang | 贵阳 | CN-GZ
city:zunyi | Zunyi | 遵义 | CN-GZ
city:kunming | Kunming | 昆明 | CN-YN
city:dali | ^Dali | 大理 | CN-YN
city:lijiang | Lijiang | 丽江 | CN-YN
city:xishuangbanna | Xishuangbanna | 西双版纳 | CN-YN
city:lhasa | Lhasa | 拉萨 | CN-XZ
city:xian | Xi'an; Xian | 西安 | CN-SN
city:xianyang | Xianyang | 咸阳 | CN-SN
city:baoji | Baoji | 宝鸡 | CN-SN
city:lanzhou | Lanzhou | 兰州 | CN-GS
city:xining | Xining | 西宁 | CN-QH
city:yinchuan | Yinchuan | 银川 | CN-NX
city:urumqi | Urumqi; Ürümqi | 乌鲁木齐 | CN-XJ
city:kashgar | Kashgar; Kashi | 喀什 | CN-XJ

# ---- East, Southeast, South and Central Asia ----
region:jpkr | Japan and Korea; Japan and South Korea | 日韩 | region:east_asia
JP | Japan | 日本 | region:jpkr
JP-13 | Tokyo | 东京; 东京都 | JP
JP-27 | Osaka | 大阪 | JP
JP-26 | Kyoto | 京都 | JP
JP-01 | Hokkaido | 北海道 | JP
JP-47 | Okinawa | 冲绳 | JP
city:yokohama | Yokohama | 横滨 | JP
city:nagoya | Nagoya | 名古屋 | JP
city:fukuoka | Fukuoka | 福冈 | JP
KR | South Korea; Korea; Republic of Korea; S. Korea; ROK | 韩国; 南韩; 大韩民国 | region:jpkr
city:seoul | Seoul | 首尔; 汉城 | KR
city:busan | Busan; Pusan | 釜山 | KR
city:jeju | Jeju; Jeju Island | 济州; 济州岛 | KR
KP | North Korea; DPRK | 朝鲜; 北韩 | region:east_asia
MN | Mongolia | 蒙古; 蒙古国 | region:east_asia
SG | Singapore | 新加坡 | region:sea
MY | Malaysia | 马来西亚 | region:sea
city:kuala_lumpur | Kuala Lumpur | 吉隆坡 | MY
TH | Thailand | 泰国 | region:sea
city:bangkok | Bangkok | 曼谷 | TH
VN | Vietnam; Viet Nam | 越南 | region:sea
city:hanoi | Hanoi | 河内 | VN
city:hcmc | Ho Chi Minh City; Saigon | 胡志明市; 西贡 | VN
ID | Indonesia | 印度尼西亚; 印尼 | region:sea
city:jakarta | Jakarta | 雅加达 | ID
city:bali | Bali | 巴厘岛 | ID
PH | the Philippines; Philippines; Phillipines; Philipines | 菲律宾 | region:sea
city:manila | ^Manila | 马尼拉 | PH
KH | Cambodia | 柬埔寨 | region:sea
LA | Laos; Lao PDR | 老挝 | region:sea
MM | Myanmar; Burma | 缅甸 | region:sea
BN | Brunei | 文莱 | region:sea
TL | Timor-Leste; East Timor | 东帝汶 | region:sea
IN | India | 印度 | region:south_asia
city:mumbai | Mumbai; Bombay | 孟买 | IN
city:delhi | New Delhi; Delhi | 新德里; 德里 | IN
city:bangalore | Bangalore; Bengaluru | 班加罗尔 | IN
PK | Pakistan | 巴基斯坦 | region:south_asia
BD | Bangladesh | 孟加拉国; 孟加拉 | region:south_asia
LK | Sri Lanka | 斯里兰卡 | region:south_asia
NP | Nepal | 尼泊尔 | region:south_asia
BT | Bhutan | 不丹 | region:south_asia
MV | the Maldives; Maldives | 马尔代夫 | region:south_asia
AF | Afghanistan | 阿富汗 | region:south_asia
KZ | Kazakhstan | 哈萨克斯坦 | region:central_asia
UZ | Uzbekistan | 乌兹别克斯坦 | region:central_asia
KG | Kyrgyzstan | 吉尔吉斯斯坦 | region:central_asia
TJ | Tajikistan | 塔吉克斯坦 | region:central_asia
TM | Turkmenistan | 土库曼斯坦 | region:central_asia

# ---- Middle East and the Caucasus ----
AE | the United Arab Emirates; United Arab Emirates; UAE; U.A.E.; Emirates | 阿联酋; 阿拉伯联合酋长国 | region:gulf region:asia
city:dubai | Dubai | 迪拜 | AE
city:abu_dhabi | Abu Dhabi | 阿布扎比 | AE
SA | Saudi Arabia; Saudi; KSA | 沙特阿拉伯; 沙特 | region:gulf region:asia
city:riyadh | Riyadh | 利雅得 | SA
QA | Qatar | 卡塔尔 | region:gulf region:asia
city:doha | Doha | 多哈 | QA
KW | Kuwait | 科威特 | region:gulf region:asia
BH | Bahrain | 巴林 | region:gulf region:asia
OM | Oman | 阿曼 | region:gulf region:asia
YE | Yemen | 也门 | region:middle_east region:asia
IQ | Iraq | 伊拉克 | region:middle_east region:asia
IR | Iran | 伊朗 | region:middle_east region:asia
JO | ^Jordan | 约旦 | region:middle_east region:asia
LB | Lebanon | 黎巴嫩 | region:middle_east region:asia
SY | Syria | 叙利亚 | region:middle_east region:asia
IL | Israel | 以色列 | region:middle_east region:asia
city:tel_aviv | Tel Aviv | 特拉维夫 | IL
PS | Palestine | 巴勒斯坦 | region:middle_east region:asia
TR | Türkiye; Turkiye; ^Turkey | 土耳其 | region:middle_east region:asia
city:istanbul | Istanbul | 伊斯坦布尔 | TR
GE | Georgia | 格鲁吉亚 | region:asia
AM | Armenia | 亚美尼亚 | region:asia
AZ | Azerbaijan | 阿塞拜疆 | region:asia

# ---- Europe ----
AT | Austria | 奥地利 | region:eu
city:vienna | Vienna | 维也纳 | AT
BE | Belgium | 比利时 | region:eu
city:brussels | Brussels | 布鲁塞尔 | BE
BG | Bulgaria | 保加利亚 | region:eu
HR | Croatia | 克罗地亚 | region:eu
CY | Cyprus | 塞浦路斯 | region:eu
CZ | the Czech Republic; Czech Republic; Czechia; Czech | 捷克; 捷克共和国 | region:eu
city:prague | Prague | 布拉格 | CZ
DK | Denmark | 丹麦 | region:eu region:scandinavia
city:copenhagen | Copenhagen | 哥本哈根 | DK
EE | Estonia | 爱沙尼亚 | region:eu
FI | Finland | 芬兰 | region:eu region:nordics
city:helsinki | Helsinki | 赫尔辛基 | FI
FR | France | 法国 | region:eu
city:paris | Paris | 巴黎 | FR
DE | Germany; Deutschland; Germnay; Germay | 德国 | region:eu
city:berlin | Berlin | 柏林 | DE
city:munich | Munich; München | 慕尼黑 | DE
city:frankfurt | Frankfurt | 法兰克福 | DE
city:hamburg | Hamburg | 汉堡市 | DE
GR | Greece | 希腊 | region:eu
city:athens | Athens | 雅典 | GR
HU | Hungary | 匈牙利 | region:eu
city:budapest | Budapest | 布达佩斯 | HU
IE | Ireland; Republic of Ireland; Eire | 爱尔兰 | region:eu
city:dublin | Dublin | 都柏林 | IE
IT | Italy | 意大利 | region:eu
city:rome | Rome | 罗马 | IT
city:milan | Milan | 米兰 | IT
LV | Latvia | 拉脱维亚 | region:eu
LT | Lithuania | 立陶宛 | region:eu
LU | Luxembourg; Luxemburg | 卢森堡 | region:eu
MT | Malta | 马耳他 | region:eu
NL | the Netherlands; Netherlands; Holland | 荷兰 | region:eu
city:amsterdam | Amsterdam | 阿姆斯特丹 | NL
PL | Poland | 波兰 | region:eu
city:warsaw | Warsaw | 华沙 | PL
PT | Portugal | 葡萄牙 | region:eu
city:lisbon | Lisbon | 里斯本 | PT
RO | Romania; Rumania | 罗马尼亚 | region:eu
SK | Slovakia | 斯洛伐克 | region:eu
SI | Slovenia | 斯洛文尼亚 | region:eu
ES | Spain; España | 西班牙 | region:eu
city:madrid | Madrid | 马德里 | ES
city:barcelona | Barcelona | 巴塞罗那 | ES
SE | Sweden | 瑞典 | region:eu region:scandinavia
city:stockholm | Stockholm | 斯德哥尔摩 | SE
GB | the UK; UK; U.K.; United Kingdom; Great Britain; Britain | 英国; 大不列颠; 联合王国 | region:europe
GB-ENG | England | 英格兰 | GB
GB-SCT | Scotland | 苏格兰 | GB
GB-WLS | Wales | 威尔士 | GB
GB-NIR | Northern Ireland | 北爱尔兰 | GB
city:london | London | 伦敦 | GB-ENG
city:manchester | Manchester | 曼彻斯特 | GB-ENG
city:birmingham | Birmingham | 伯明翰 | GB-ENG
city:edinburgh | Edinburgh | 爱丁堡 | GB-SCT
city:glasgow | Glasgow | 格拉斯哥 | GB-SCT
JE | ^Jersey | 泽西岛 | region:europe
GG | Guernsey | 根西岛 | region:europe
IM | the Isle of Man; Isle of Man | 马恩岛 | region:europe
GI | Gibraltar | 直布罗陀 | region:europe
CH | Switzerland; Swiss Confederation | 瑞士 | region:europe
city:zurich | Zurich; Zürich | 苏黎世 | CH
city:geneva | Geneva | 日内瓦 | CH
NO | Norway | 挪威 | region:scandinavia
city:oslo | Oslo | 奥斯陆 | NO
IS | Iceland | 冰岛 | region:nordics
LI | Liechtenstein | 列支敦士登 | region:europe
MC | Monaco | 摩纳哥 | region:europe
SM | San Marino | 圣马力诺 | region:europe
VA | Vatican City; the Vatican; Vatican; Holy See | 梵蒂冈 | region:europe
AD | Andorra | 安道尔 | region:europe
AL | Albania | 阿尔巴尼亚 | region:europe
BA | Bosnia and Herzegovina; Bosnia | 波黑; 波斯尼亚和黑塞哥维那; 波斯尼亚 | region:europe
ME | Montenegro | 黑山 | region:europe
MK | North Macedonia; Macedonia | 北马其顿; 马其顿 | region:europe
RS | Serbia | 塞尔维亚 | region:europe
XK | Kosovo | 科索沃 | region:europe
MD | Moldova | 摩尔多瓦 | region:europe
UA | Ukraine; the Ukraine | 乌克兰 | region:europe
BY | Belarus | 白俄罗斯 | region:europe
RU | Russia; Russian Federation | 俄罗斯; 俄国; 俄罗斯联邦 | region:europe
city:moscow | Moscow | 莫斯科 | RU

# ---- Americas ----
US | the US; the USA; United States; United States of America; USA; U.S.A.; =US; =U.S.; America; the States; Untied States | 美国; 美利坚; 美利坚合众国 | region:north_america
CA | Canada | 加拿大 | region:north_america
city:toronto | Toronto | 多伦多 | CA
city:vancouver | Vancouver | 温哥华 | CA
city:montreal | Montreal; Montréal | 蒙特利尔 | CA
MX | Mexico; México | 墨西哥 | region:north_america region:latin_america
city:mexico_city | Mexico City | 墨西哥城 | MX
GL | Greenland | 格陵兰 | region:north_america
GT | Guatemala | 危地马拉 | region:central_america
BZ | Belize | 伯利兹 | region:central_america
SV | El Salvador | 萨尔瓦多 | region:central_america
HN | Honduras | 洪都拉斯 | region:central_america
NI | Nicaragua | 尼加拉瓜 | region:central_america
CR | Costa Rica | 哥斯达黎加 | region:central_america
PA | Panama | 巴拿马 | region:central_america
CU | Cuba | 古巴 | region:caribbean region:latin_america
DO | the Dominican Republic; Dominican Republic | 多米尼加; 多米尼加共和国 | region:caribbean region:latin_america
HT | Haiti | 海地 | region:caribbean region:latin_america
PR | Puerto Rico | 波多黎各 | region:caribbean region:latin_america
JM | Jamaica | 牙买加 | region:caribbean
TT | Trinidad and Tobago; Trinidad | 特立尼达和多巴哥; 特立尼达 | region:caribbean
BS | the Bahamas; Bahamas | 巴哈马 | region:caribbean
BB | Barbados | 巴巴多斯 | region:caribbean
DM | ^Dominica | 多米尼克 | region:caribbean
BR | Brazil; Brasil | 巴西 | region:south_america
city:sao_paulo | São Paulo; Sao Paulo | 圣保罗 | BR
city:rio | Rio de Janeiro | 里约热内卢; 里约 | BR
AR | Argentina | 阿根廷 | region:south_america
city:buenos_aires | Buenos Aires | 布宜诺斯艾利斯 | AR
CL | Chile | 智利 | region:south_america
CO | Colombia | 哥伦比亚 | region:south_america
PE | Peru; Perú | 秘鲁 | region:south_america
VE | Venezuela | 委内瑞拉 | region:south_america
EC | Ecuador | 厄瓜多尔 | region:south_america
BO | Bolivia | 玻利维亚 | region:south_america
PY | Paraguay | 巴拉圭 | region:south_america
UY | Uruguay | 乌拉圭 | region:south_america
GY | Guyana | 圭亚那 | region:south_america
SR | Suriname | 苏里南 | region:south_america

# US states (ISO 3166-2:US) and cities. "Georgia" alone is the country GE;
# the state needs a US context ("Georgia, USA", "state of Georgia", 佐治亚).
US-AL | Alabama | 阿拉巴马; 亚拉巴马 | US
US-AK | Alaska | 阿拉斯加 | US
US-AZ | Arizona | 亚利桑那 | US
US-AR | Arkansas | 阿肯色 | US
US-CA | California | 加利福尼亚; 加州 | US
US-CO | Colorado | 科罗拉多 | US
US-CT | Connecticut | 康涅狄格 | US
US-DE | Delaware | 特拉华 | US
US-DC | Washington, D.C.; Washington DC; Washington, DC; Washington D.C. | 华盛顿特区; 华盛顿 | US
US-FL | Florida | 佛罗里达 | US
US-GA | Georgia, USA; Georgia USA; Georgia, US; state of Georgia; Georgia state; US state of Georgia | 佐治亚; 佐治亚州 | US
US-HI | Hawaii | 夏威夷 | US
US-ID | Idaho | 爱达荷 | US
US-IL | Illinois | 伊利诺伊 | US
US-IN | Indiana | 印第安纳 | US
US-IA | Iowa | 艾奥瓦; 爱荷华 | US
US-KS | Kansas | 堪萨斯 | US
US-KY | Kentucky | 肯塔基 | US
US-LA | Louisiana | 路易斯安那 | US
US-ME | Maine | 缅因 | US
US-MD | Maryland | 马里兰 | US
US-MA | Massachusetts | 马萨诸塞; 麻省 | US
US-MI | Michigan | 密歇根; 密西根 | US
US-MN | Minnesota | 明尼苏达 | US
US-MS | Mississippi | 密西西比 | US
US-MO | Missouri | 密苏里 | US
US-MT | Montana | 蒙大拿 | US
US-NE | Nebraska | 内布拉斯加 | US
US-NV | Nevada | 内华达 | US
US-NH | New Hampshire | 新罕布什尔 | US
US-NJ | New Jersey | 新泽西 | US
US-NM | New Mexico | 新墨西哥 | US
US-NY | New York; New York State | 纽约; 纽约州 | US
US-NC | North Carolina | 北卡罗来纳; 北卡 | US
US-ND | North Dakota | 北达科他 | US
US-OH | Ohio | 俄亥俄 | US
US-OK | Oklahoma | 俄克拉何马; 俄克拉荷马 | US
US-OR | Oregon | 俄勒冈 | US
US-PA | Pennsylvania | 宾夕法尼亚; 宾州 | US
US-RI | Rhode Island | 罗得岛; 罗德岛 | US
US-SC | South Carolina | 南卡罗来纳; 南卡 | US
US-SD | South Dakota | 南达科他 | US
US-TN | Tennessee | 田纳西 | US
US-TX | Texas | 得克萨斯; 德克萨斯 | US
US-UT | Utah | 犹他 | US
US-VT | Vermont | 佛蒙特 | US
US-VA | Virginia | 弗吉尼亚 | US
US-WA | Washington State; Washington | 华盛顿州 | US
US-WV | West Virginia | 西弗吉尼亚 | US
US-WI | Wisconsin | 威斯康星 | US
US-WY | Wyoming | 怀俄明 | US
city:nyc | New York City; NYC | 纽约市 | US-NY
city:los_angeles | Los Angeles | 洛杉矶 | US-CA
city:san_francisco | San Francisco | 旧金山; 三藩市 | US-CA
city:chicago | Chicago | 芝加哥 | US-IL
city:seattle | Seattle | 西雅图 | US-WA
city:boston | Boston | 波士顿 | US-MA
city:houston | Houston | 休斯顿; 休斯敦 | US-TX
city:miami | Miami | 迈阿密 | US-FL
city:las_vegas | Las Vegas | 拉斯维加斯 | US-NV
city:atlanta | Atlanta; Atlanta, Georgia; Atlanta Georgia | 亚特兰大 | US-GA

# ---- Oceania ----
AU | Australia | 澳大利亚; 澳洲 | region:anz
city:sydney | Sydney | 悉尼 | AU
city:melbourne | Melbourne | 墨尔本 | AU
city:brisbane | Brisbane | 布里斯班 | AU
city:perth | Perth | 珀斯 | AU
NZ | New Zealand; NZ | 新西兰; 纽西兰 | region:anz
city:auckland | Auckland | 奥克兰 | NZ
FJ | Fiji | 斐济 | region:oceania
PG | Papua New Guinea; New Guinea | 巴布亚新几内亚; 巴新 | region:oceania
WS | Samoa | 萨摩亚 | region:oceania
TO | Tonga | 汤加 | region:oceania
VU | Vanuatu | 瓦努阿图 | region:oceania
SB | the Solomon Islands; Solomon Islands | 所罗门群岛 | region:oceania
NC | New Caledonia | 新喀里多尼亚 | region:oceania
PF | French Polynesia; Tahiti | 法属波利尼西亚; 大溪地 | region:oceania
GU | Guam | 关岛 | region:oceania

# ---- Africa ----
EG | Egypt | 埃及 | region:middle_east region:africa
city:cairo | Cairo | 开罗 | EG
DZ | Algeria | 阿尔及利亚 | region:africa
AO | Angola | 安哥拉 | region:africa
BJ | Benin | 贝宁 | region:africa
BW | Botswana | 博茨瓦纳 | region:africa
BF | Burkina Faso | 布基纳法索 | region:africa
BI | Burundi | 布隆迪 | region:africa
CV | Cape Verde; Cabo Verde | 佛得角 | region:africa
CM | Cameroon | 喀麦隆 | region:africa
CF | the Central African Republic; Central African Republic | 中非共和国 | region:africa
TD | ^Chad | 乍得 | region:africa
KM | Comoros | 科摩罗 | region:africa
CG | Republic of the Congo; Congo-Brazzaville | 刚果(布); 刚果共和国 | region:africa
CD | the Democratic Republic of the Congo; Democratic Republic of the Congo; DR Congo; DRC; Congo-Kinshasa; Congo | 刚果(金); 刚果民主共和国; 刚果 | region:africa
CI | Côte d'Ivoire; Cote d'Ivoire; Ivory Coast | 科特迪瓦 | region:africa
DJ | Djibouti | 吉布提 | region:africa
GQ | Equatorial Guinea | 赤道几内亚 | region:africa
ER | Eritrea | 厄立特里亚 | region:africa
SZ | Eswatini; Swaziland | 埃斯瓦蒂尼; 斯威士兰 | region:africa
ET | Ethiopia | 埃塞俄比亚 | region:africa
GA | Gabon | 加蓬 | region:africa
GM | the Gambia; Gambia | 冈比亚 | region:africa
GH | Ghana | 加纳 | region:africa
GN | ^Guinea | 几内亚 | region:africa
GW | Guinea-Bissau | 几内亚比绍 | region:africa
KE | Kenya | 肯尼亚 | region:africa
city:nairobi | Nairobi | 内罗毕 | KE
LS | Lesotho | 莱索托 | region:africa
LR | Liberia | 利比里亚 | region:africa
LY | Libya | 利比亚 | region:africa
MG | Madagascar | 马达加斯加 | region:africa
MW | Malawi | 马拉维 | region:africa
ML | Mali | 马里 | region:africa
MR | Mauritania | 毛里塔尼亚 | region:africa
MU | Mauritius | 毛里求斯 | region:africa
MA | Morocco | 摩洛哥 | region:africa
MZ | Mozambique | 莫桑比克 | region:africa
NA | Namibia | 纳米比亚 | region:africa
NE | ^Niger | 尼日尔 | region:africa
NG | Nigeria | 尼日利亚 | region:africa
city:lagos | Lagos | 拉各斯 | NG
RW | Rwanda | 卢旺达 | region:africa
ST | São Tomé and Príncipe; Sao Tome and Principe | 圣多美和普林西比 | region:africa
SN | Senegal | 塞内加尔 | region:africa
SC | Seychelles; the Seychelles | 塞舌尔 | region:africa
SL | Sierra Leone | 塞拉利昂 | region:africa
SO | Somalia | 索马里 | region:africa
ZA | South Africa | 南非 | region:africa
city:johannesburg | Johannesburg | 约翰内斯堡 | ZA
city:cape_town | Cape Town | 开普敦 | ZA
SS | South Sudan | 南苏丹 | region:africa
SD | Sudan | 苏丹 | region:africa
TZ | Tanzania | 坦桑尼亚 | region:africa
TG | ^Togo | 多哥 | region:africa
TN | Tunisia | 突尼斯 | region:africa
UG | Uganda | 乌干达 | region:africa
ZM | Zambia | 赞比亚 | region:africa
ZW | Zimbabwe | 津巴布韦 | region:africa

# ---- stop phrases: a place name inside words that name no place ----
- | bone china; fine china; china tea; china teas; china cup(s); china teacup(s); china set(s); china ware; china clay; china cabinet; china doll(s); china plate(s); china mug(s); china teapot(s); china bowl(s); china shop; china pattern; china dishes; china post; Bank of China; China Mobile; China Unicom; China Telecom; Air China; China Eastern; China Southern; South China Sea; East China Sea; made in China; Beijing time; China time; roast turkey; turkey breast; turkey sandwich; turkey dinner; thanksgiving turkey; smoked turkey; turkey meat; turkey bacon; cold turkey; wild turkey; Air Jordan(s); Michael Jordan; Jordan brand; Jordan shoes; Jordan sneakers; guinea pig(s); guinea fowl; brazil nut(s); panama hat(s); Brussels sprouts; Sichuan pepper(s); Sichuan peppercorn(s); Szechuan pepper(s); Szechuan peppercorn(s); Szechuan sauce; manila envelope(s); manila folder(s); manila paper; Jersey shirt(s) | 中国银行; 中国工商银行; 中国建设银行; 中国农业银行; 中国人民银行; 中国邮政; 中国移动; 中国联通; 中国电信; 中国人寿; 中国平安; 中国风; 中国结; 中国茶; 中国红; 中国人; 中国制造; 中国时间; 北京时间; 东西藏; 大同小异; 中山路; 中山公园; 中山大学; 中山装; 夸下海口; 夸海口; 大理石; 新大陆; 大陆架; 香港脚 |
`
