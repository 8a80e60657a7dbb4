package catalog

// The built-in vocabulary: the words of shop questions in English and
// Simplified Chinese, whatever the trade. Product words never appear here;
// they come from the catalogue. Entries are normalised text (lower case,
// no apostrophes); English entries are word sequences, Chinese ones
// character strings.

// ask is what a cue word asks of the catalogue.
type ask uint8

const (
	askNone      ask = iota
	askPrice         // how much, 多少钱
	askStock         // in stock, 有货
	askSell          // do you sell, 有没有
	askCompare       // difference, 区别
	askSuper         // cheapest, 最轻 (see cue.concept and cue.dir)
	askRecommend     // gift, recommend, 推荐
	askAttr          // size, 尺寸 (see cue.concept)
	askService       // shipping, returns, payment, a person: not the catalogue's
)

// role is what a piece of a message is to the catalogue.
type role uint8

const (
	roleSubject role = iota // names what the customer asks about
	roleCue                 // a cue word; it may still name a product ("gift set")
	roleService             // a service-topic word; it may still name a product
	roleDrop                // a price bound or a unit: not matched
)

// role returns the role of the words of a cue.
func (c cue) role() role {
	if c.ask == askService {
		return roleService
	}
	return roleCue
}

// cue is the meaning of one vocabulary entry.
type cue struct {
	ask ask
	// concept names the attribute asked (askAttr) or compared (askSuper):
	// "price" or one of the concepts of attrConcepts.
	concept string
	// dir is -1 for the least (cheapest, lightest) and +1 for the most.
	dir int
	// soft marks a superlative that only orders a list ("cheap", "便宜点").
	soft bool
}

// enCues are English cue phrases, by word sequence.
var enCues = map[string]cue{
	// price
	"how much": {ask: askPrice}, "price": {ask: askPrice}, "prices": {ask: askPrice},
	"priced": {ask: askPrice}, "pricing": {ask: askPrice}, "cost": {ask: askPrice},
	"costs": {ask: askPrice}, "how much is": {ask: askPrice}, "how much are": {ask: askPrice},
	"how much does": {ask: askPrice}, "how much do": {ask: askPrice}, "hw much": {ask: askPrice},
	"price tag": {ask: askPrice}, "rrp": {ask: askPrice},
	// stock
	"in stock": {ask: askStock}, "stock": {ask: askStock}, "available": {ask: askStock},
	"availability": {ask: askStock}, "sold out": {ask: askStock}, "out of stock": {ask: askStock},
	"back in stock": {ask: askStock}, "restock": {ask: askStock}, "any left": {ask: askStock},
	"in store": {ask: askStock}, "instock": {ask: askStock},
	// sell / have
	"do you sell": {ask: askSell}, "do you have": {ask: askSell}, "do u have": {ask: askSell},
	"do u sell": {ask: askSell}, "do you carry": {ask: askSell}, "do you stock": {ask: askSell},
	"do you do": {ask: askSell}, "have you got": {ask: askSell}, "you got": {ask: askSell},
	"got any": {ask: askSell}, "do you guys have": {ask: askSell}, "do you guys sell": {ask: askSell},
	"you sell": {ask: askSell}, "you have": {ask: askSell}, "u have": {ask: askSell},
	"u sell": {ask: askSell}, "sell": {ask: askSell},
	"is there": {ask: askSell}, "are there": {ask: askSell}, "looking for": {ask: askSell},
	"any": {ask: askSell}, "where can i find": {ask: askSell}, "want to buy": {ask: askSell},
	"i want": {ask: askSell}, "i need": {ask: askSell}, "need": {ask: askSell},
	"can i buy": {ask: askSell}, "can i get": {ask: askSell}, "ive got": {ask: askSell},
	// what kinds there are: the list of them
	"what kinds of": {ask: askSell}, "what kind of": {ask: askSell}, "what types of": {ask: askSell},
	"what type of": {ask: askSell}, "what sorts of": {ask: askSell}, "which kinds of": {ask: askSell},
	"which types of": {ask: askSell},
	// compare
	"difference": {ask: askCompare}, "differences": {ask: askCompare}, "different": {ask: askCompare},
	"differ": {ask: askCompare}, "vs": {ask: askCompare}, "versus": {ask: askCompare},
	"compare": {ask: askCompare}, "compared": {ask: askCompare}, "comparison": {ask: askCompare},
	"diff": {ask: askCompare}, "which is better": {ask: askCompare}, "better": {ask: askCompare},
	"lighter": {ask: askCompare}, "heavier": {ask: askCompare}, "bigger": {ask: askCompare},
	"smaller": {ask: askCompare}, "larger": {ask: askCompare}, "which is cheaper": {ask: askCompare},
	// superlatives
	"cheapest": {ask: askSuper, concept: "price", dir: -1}, "least expensive": {ask: askSuper, concept: "price", dir: -1},
	"lowest price": {ask: askSuper, concept: "price", dir: -1}, "most affordable": {ask: askSuper, concept: "price", dir: -1},
	"lowest priced": {ask: askSuper, concept: "price", dir: -1}, "cheapst": {ask: askSuper, concept: "price", dir: -1},
	"cheap": {ask: askSuper, concept: "price", dir: -1, soft: true}, "cheaper": {ask: askSuper, concept: "price", dir: -1, soft: true},
	"affordable": {ask: askSuper, concept: "price", dir: -1, soft: true}, "inexpensive": {ask: askSuper, concept: "price", dir: -1, soft: true},
	"most expensive": {ask: askSuper, concept: "price", dir: 1}, "priciest": {ask: askSuper, concept: "price", dir: 1},
	"highest price": {ask: askSuper, concept: "price", dir: 1}, "dearest": {ask: askSuper, concept: "price", dir: 1},
	"top of the range": {ask: askSuper, concept: "price", dir: 1}, "most premium": {ask: askSuper, concept: "price", dir: 1},
	"lightest": {ask: askSuper, concept: "weight", dir: -1}, "heaviest": {ask: askSuper, concept: "weight", dir: 1},
	"smallest": {ask: askSuper, concept: "size", dir: -1}, "most compact": {ask: askSuper, concept: "size", dir: -1},
	"biggest": {ask: askSuper, concept: "size", dir: 1}, "largest": {ask: askSuper, concept: "size", dir: 1},
	"longest": {ask: askSuper, concept: "length", dir: 1}, "shortest": {ask: askSuper, concept: "length", dir: -1},
	"tallest": {ask: askSuper, concept: "length", dir: 1}, "most powerful": {ask: askSuper, concept: "power", dir: 1},
	"brightest": {ask: askSuper, concept: "light", dir: 1},
	// recommendation
	"recommend": {ask: askRecommend}, "recommendation": {ask: askRecommend}, "recommendations": {ask: askRecommend},
	"suggest": {ask: askRecommend}, "suggestion": {ask: askRecommend}, "suggestions": {ask: askRecommend},
	"gift": {ask: askRecommend}, "gifts": {ask: askRecommend}, "present": {ask: askRecommend},
	"presents": {ask: askRecommend}, "idea": {ask: askRecommend}, "ideas": {ask: askRecommend},
	"what should i get": {ask: askRecommend}, "what should i buy": {ask: askRecommend},
	"which should i get": {ask: askRecommend}, "which one should i get": {ask: askRecommend},
	"which one should i buy": {ask: askRecommend}, "which one": {ask: askRecommend}, "which": {ask: askRecommend},
	"good for": {ask: askRecommend}, "best for": {ask: askRecommend}, "suitable for": {ask: askRecommend},
	"budget": {ask: askRecommend},
	// attributes
	"size": {ask: askAttr, concept: "size"}, "sizes": {ask: askAttr, concept: "size"},
	"sizing": {ask: askAttr, concept: "size"}, "how big": {ask: askAttr, concept: "size"},
	"dimension": {ask: askAttr, concept: "size"}, "dimensions": {ask: askAttr, concept: "size"},
	"measurements": {ask: askAttr, concept: "size"}, "how large": {ask: askAttr, concept: "size"},
	"how long": {ask: askAttr, concept: "length"}, "length": {ask: askAttr, concept: "length"},
	"how tall": {ask: askAttr, concept: "length"}, "height": {ask: askAttr, concept: "length"},
	"how wide": {ask: askAttr, concept: "length"}, "width": {ask: askAttr, concept: "length"},
	"weight": {ask: askAttr, concept: "weight"}, "weigh": {ask: askAttr, concept: "weight"},
	"weighs": {ask: askAttr, concept: "weight"}, "how heavy": {ask: askAttr, concept: "weight"},
	"heavy":    {ask: askAttr, concept: "weight"},
	"warranty": {ask: askAttr, concept: "warranty"}, "warranties": {ask: askAttr, concept: "warranty"},
	"guarantee": {ask: askAttr, concept: "warranty"}, "guaranteed": {ask: askAttr, concept: "warranty"},
	"origin": {ask: askAttr, concept: "origin"}, "where from": {ask: askAttr, concept: "origin"},
	"made in": {ask: askAttr, concept: "origin"}, "where is it from": {ask: askAttr, concept: "origin"},
	"where is it made": {ask: askAttr, concept: "origin"}, "country": {ask: askAttr, concept: "origin"},
	"material": {ask: askAttr, concept: "material"}, "materials": {ask: askAttr, concept: "material"},
	"made of": {ask: askAttr, concept: "material"}, "fabric": {ask: askAttr, concept: "material"},
	"brand": {ask: askAttr, concept: "brand"}, "brands": {ask: askAttr, concept: "brand"},
	"manufacturer": {ask: askAttr, concept: "brand"}, "maker": {ask: askAttr, concept: "brand"},
	"colour": {ask: askAttr, concept: "colour"}, "color": {ask: askAttr, concept: "colour"},
	"colours": {ask: askAttr, concept: "colour"}, "colors": {ask: askAttr, concept: "colour"},
	"capacity": {ask: askAttr, concept: "capacity"}, "volume": {ask: askAttr, concept: "capacity"},
	"power": {ask: askAttr, concept: "power"}, "watts": {ask: askAttr, concept: "power"},
	"wattage": {ask: askAttr, concept: "power"}, "how many watts": {ask: askAttr, concept: "power"},
	"age": {ask: askAttr, concept: "age"}, "ages": {ask: askAttr, concept: "age"}, "how old": {ask: askAttr, concept: "age"},
	// service topics and requests for a person: the knowledge base's, never the catalogue's
	"ship": {ask: askService}, "shipping": {ask: askService}, "shipped": {ask: askService}, "shiping": {ask: askService},
	"deliver": {ask: askService}, "delivery": {ask: askService}, "delivered": {ask: askService},
	"postage": {ask: askService}, "post": {ask: askService}, "posted": {ask: askService}, "courier": {ask: askService},
	"parcel": {ask: askService}, "tracking": {ask: askService}, "track": {ask: askService},
	"dispatch": {ask: askService}, "arrive": {ask: askService}, "arrived": {ask: askService},
	"send": {ask: askService}, "sent": {ask: askService}, "send back": {ask: askService},
	"return": {ask: askService}, "returns": {ask: askService}, "returned": {ask: askService},
	"refund": {ask: askService}, "refunds": {ask: askService}, "refunded": {ask: askService},
	"money back": {ask: askService}, "exchange": {ask: askService}, "swap": {ask: askService},
	"cancel": {ask: askService}, "cancelled": {ask: askService}, "cancellation": {ask: askService},
	"ordered": {ask: askService}, "my order": {ask: askService}, "order number": {ask: askService},
	"pay": {ask: askService}, "paid": {ask: askService}, "payment": {ask: askService}, "payments": {ask: askService},
	"instalment": {ask: askService}, "instalments": {ask: askService}, "installment": {ask: askService},
	"installments": {ask: askService}, "credit card": {ask: askService}, "paypal": {ask: askService},
	"alipay": {ask: askService}, "wechat pay": {ask: askService}, "cash on delivery": {ask: askService},
	"invoice": {ask: askService}, "fapiao": {ask: askService}, "receipt": {ask: askService},
	"points": {ask: askService}, "member": {ask: askService}, "membership": {ask: askService},
	"account": {ask: askService}, "login": {ask: askService}, "log in": {ask: askService}, "password": {ask: askService},
	"opening hours": {ask: askService}, "open": {ask: askService}, "closed": {ask: askService},
	"address": {ask: askService}, "parking": {ask: askService}, "directions": {ask: askService},
	"repair": {ask: askService}, "repairs": {ask: askService}, "fix": {ask: askService},
	"servicing": {ask: askService}, "tune up": {ask: askService}, "booking": {ask: askService},
	"book": {ask: askService}, "appointment": {ask: askService},
	"rent": {ask: askService}, "rental": {ask: askService}, "hire": {ask: askService},
	"assemble": {ask: askService}, "assembly": {ask: askService}, "install": {ask: askService},
	"installation": {ask: askService}, "trade in": {ask: askService}, "register": {ask: askService},
	"discount": {ask: askService}, "coupon": {ask: askService}, "voucher": {ask: askService},
	"vouchers": {ask: askService}, "promo": {ask: askService}, "promo code": {ask: askService},
	"complaint": {ask: askService}, "complain": {ask: askService}, "broken": {ask: askService},
	"damaged": {ask: askService}, "defective": {ask: askService}, "faulty": {ask: askService},
	"scratch": {ask: askService}, "scratched": {ask: askService}, "rude": {ask: askService},
	"worst": {ask: askService}, "terrible": {ask: askService}, "disappointed": {ask: askService},
	"lawyer": {ask: askService}, "hospital": {ask: askService}, "injured": {ask: askService},
	"human": {ask: askService}, "agent": {ask: askService}, "real person": {ask: askService},
	"someone": {ask: askService}, "staff": {ask: askService}, "manager": {ask: askService},
	"speak to": {ask: askService}, "talk to": {ask: askService},
	"hiring": {ask: askService}, "job": {ask: askService}, "jobs": {ask: askService},
	"order": {ask: askService}, "pre order": {ask: askService}, "preorder": {ask: askService},
	"custom": {ask: askService}, "customise": {ask: askService}, "customize": {ask: askService},
	"personalise": {ask: askService}, "personalize": {ask: askService}, "engrave": {ask: askService},
	"engraving": {ask: askService}, "test": {ask: askService}, "try": {ask: askService},
	"trial": {ask: askService}, "fitting": {ask: askService}, "gift card": {ask: askService},
	"gift voucher": {ask: askService}, "egift": {ask: askService}, "e gift": {ask: askService},
	"tmall": {ask: askService}, "taobao": {ask: askService}, "jd": {ask: askService},
	"amazon": {ask: askService}, "ebay": {ask: askService}, "insurance": {ask: askService},
	"buy back": {ask: askService}, "sell my": {ask: askService}, "second hand": {ask: askService},
	"secondhand": {ask: askService}, "claim": {ask: askService}, "leak": {ask: askService},
	"leaks": {ask: askService}, "leaking": {ask: askService}, "stopped working": {ask: askService},
	"not working": {ask: askService}, "doesnt work": {ask: askService}, "dont work": {ask: askService},
	"cracked": {ask: askService}, "fell": {ask: askService}, "injury": {ask: askService},
	"hurt": {ask: askService}, "wrap": {ask: askService}, "wrapping": {ask: askService},
}

// zhCues are Chinese cue phrases.
var zhCues = map[string]cue{
	// price
	"多少钱": {ask: askPrice}, "价格": {ask: askPrice}, "价钱": {ask: askPrice}, "售价": {ask: askPrice},
	"几块": {ask: askPrice}, "几块钱": {ask: askPrice}, "多钱": {ask: askPrice}, "怎么卖": {ask: askPrice},
	"卖多少": {ask: askPrice}, "什么价": {ask: askPrice}, "啥价": {ask: askPrice}, "报价": {ask: askPrice},
	"贵吗": {ask: askPrice}, "贵不贵": {ask: askPrice}, "单价": {ask: askPrice},
	"几钱": {ask: askPrice}, "定价": {ask: askPrice},
	// stock
	"有货": {ask: askStock}, "有没有货": {ask: askStock}, "现货": {ask: askStock}, "库存": {ask: askStock},
	"缺货": {ask: askStock}, "没货": {ask: askStock}, "断货": {ask: askStock}, "补货": {ask: askStock},
	"卖完": {ask: askStock}, "售罄": {ask: askStock}, "还有吗": {ask: askStock}, "有现货": {ask: askStock},
	// sell / have
	"有没有": {ask: askSell}, "有吗": {ask: askSell}, "有没": {ask: askSell}, "卖不卖": {ask: askSell},
	"卖吗": {ask: askSell}, "有卖": {ask: askSell}, "在卖": {ask: askSell}, "有售": {ask: askSell},
	"出售": {ask: askSell}, "有木有": {ask: askSell}, "想买": {ask: askSell}, "要买": {ask: askSell},
	"买": {ask: askSell}, "卖": {ask: askSell}, "有的吗": {ask: askSell}, "有么": {ask: askSell},
	"有不": {ask: askSell}, "求购": {ask: askSell}, "找": {ask: askSell},
	// what kinds there are: the list of them
	"有哪些": {ask: askSell}, "有哪几种": {ask: askSell}, "哪几种": {ask: askSell}, "有几种": {ask: askSell},
	"都有什么": {ask: askSell}, "有哪几款": {ask: askSell}, "哪几款": {ask: askSell}, "有几款": {ask: askSell},
	// compare
	"区别": {ask: askCompare}, "差别": {ask: askCompare}, "不同": {ask: askCompare}, "差在哪": {ask: askCompare},
	"差异": {ask: askCompare}, "对比": {ask: askCompare}, "比较": {ask: askCompare}, "不一样": {ask: askCompare},
	"哪个好": {ask: askCompare}, "哪个更好": {ask: askCompare}, "差在": {ask: askCompare}, "有啥区别": {ask: askCompare},
	// superlatives
	"最便宜": {ask: askSuper, concept: "price", dir: -1}, "最实惠": {ask: askSuper, concept: "price", dir: -1},
	"最低价": {ask: askSuper, concept: "price", dir: -1}, "价格最低": {ask: askSuper, concept: "price", dir: -1},
	"便宜点": {ask: askSuper, concept: "price", dir: -1, soft: true}, "便宜的": {ask: askSuper, concept: "price", dir: -1, soft: true},
	"便宜": {ask: askSuper, concept: "price", dir: -1, soft: true}, "实惠": {ask: askSuper, concept: "price", dir: -1, soft: true},
	"最贵": {ask: askSuper, concept: "price", dir: 1}, "最高端": {ask: askSuper, concept: "price", dir: 1},
	"最高档": {ask: askSuper, concept: "price", dir: 1}, "价格最高": {ask: askSuper, concept: "price", dir: 1},
	"最轻": {ask: askSuper, concept: "weight", dir: -1}, "最重": {ask: askSuper, concept: "weight", dir: 1},
	"最小": {ask: askSuper, concept: "size", dir: -1}, "最大": {ask: askSuper, concept: "size", dir: 1},
	"最长": {ask: askSuper, concept: "length", dir: 1}, "最短": {ask: askSuper, concept: "length", dir: -1},
	"最高": {ask: askSuper, concept: "length", dir: 1}, "最亮": {ask: askSuper, concept: "light", dir: 1},
	// recommendation
	"推荐": {ask: askRecommend}, "建议": {ask: askRecommend}, "礼物": {ask: askRecommend},
	"送人": {ask: askRecommend}, "送礼": {ask: askRecommend}, "适合": {ask: askRecommend},
	"选哪": {ask: askRecommend}, "买哪": {ask: askRecommend}, "哪款": {ask: askRecommend},
	"买什么": {ask: askRecommend},
	"预算":  {ask: askRecommend}, "哪个": {ask: askRecommend},
	// attributes
	"尺寸": {ask: askAttr, concept: "size"}, "尺码": {ask: askAttr, concept: "size"}, "大小": {ask: askAttr, concept: "size"},
	"多大": {ask: askAttr, concept: "size"}, "规格": {ask: askAttr, concept: "size"}, "几号": {ask: askAttr, concept: "size"},
	"多长": {ask: askAttr, concept: "length"}, "长度": {ask: askAttr, concept: "length"}, "多高": {ask: askAttr, concept: "length"},
	"高度": {ask: askAttr, concept: "length"}, "多宽": {ask: askAttr, concept: "length"}, "宽度": {ask: askAttr, concept: "length"},
	"重量": {ask: askAttr, concept: "weight"}, "多重": {ask: askAttr, concept: "weight"}, "多沉": {ask: askAttr, concept: "weight"},
	"几斤": {ask: askAttr, concept: "weight"}, "多少斤": {ask: askAttr, concept: "weight"}, "几公斤": {ask: askAttr, concept: "weight"},
	"保修": {ask: askAttr, concept: "warranty"}, "质保": {ask: askAttr, concept: "warranty"}, "保修期": {ask: askAttr, concept: "warranty"},
	"保修多久": {ask: askAttr, concept: "warranty"},
	"产地":   {ask: askAttr, concept: "origin"}, "哪里产": {ask: askAttr, concept: "origin"}, "产自": {ask: askAttr, concept: "origin"},
	"哪产的": {ask: askAttr, concept: "origin"}, "哪里的": {ask: askAttr, concept: "origin"},
	"材质": {ask: askAttr, concept: "material"}, "材料": {ask: askAttr, concept: "material"}, "什么做的": {ask: askAttr, concept: "material"},
	"品牌": {ask: askAttr, concept: "brand"}, "牌子": {ask: askAttr, concept: "brand"}, "什么牌": {ask: askAttr, concept: "brand"},
	"颜色": {ask: askAttr, concept: "colour"}, "什么色": {ask: askAttr, concept: "colour"}, "几种颜色": {ask: askAttr, concept: "colour"},
	"容量": {ask: askAttr, concept: "capacity"}, "能装多少": {ask: askAttr, concept: "capacity"},
	"功率": {ask: askAttr, concept: "power"}, "多少瓦": {ask: askAttr, concept: "power"}, "几瓦": {ask: askAttr, concept: "power"},
	"年龄": {ask: askAttr, concept: "age"}, "几岁": {ask: askAttr, concept: "age"}, "多大孩子": {ask: askAttr, concept: "age"},
	// service topics and requests for a person
	"运费": {ask: askService}, "邮费": {ask: askService}, "包邮": {ask: askService}, "快递": {ask: askService},
	"寄": {ask: askService}, "发货": {ask: askService}, "送货": {ask: askService}, "配送": {ask: askService},
	"物流": {ask: askService}, "送到": {ask: askService}, "收到": {ask: askService}, "签收": {ask: askService},
	"退": {ask: askService}, "换货": {ask: askService}, "调换": {ask: askService}, "换个": {ask: askService},
	"取消": {ask: askService}, "订单": {ask: askService}, "下单": {ask: askService}, "单号": {ask: askService},
	"付款": {ask: askService}, "支付": {ask: askService}, "付钱": {ask: askService}, "分期": {ask: askService},
	"花呗": {ask: askService}, "信用卡": {ask: askService}, "发票": {ask: askService}, "开票": {ask: askService},
	"积分": {ask: askService}, "会员": {ask: askService}, "账号": {ask: askService}, "密码": {ask: askService},
	"登录": {ask: askService}, "注销": {ask: askService}, "营业": {ask: askService}, "开门": {ask: askService},
	"关门": {ask: askService}, "门店": {ask: askService}, "地址": {ask: askService}, "停车": {ask: askService},
	"在哪": {ask: askService}, "在哪里": {ask: askService}, "在哪儿": {ask: askService}, "地点": {ask: askService},
	"修": {ask: askService}, "维修": {ask: askService}, "保养": {ask: askService}, "预约": {ask: askService},
	"租": {ask: askService}, "押金": {ask: askService}, "安装": {ask: askService}, "组装": {ask: askService},
	"以旧换新": {ask: askService}, "抵钱": {ask: askService}, "上牌": {ask: askService}, "投诉": {ask: askService},
	"坏了": {ask: askService}, "破损": {ask: askService}, "质量问题": {ask: askService}, "差评": {ask: askService},
	"人工": {ask: askService}, "客服": {ask: askService}, "真人": {ask: askService}, "店员": {ask: askService},
	"律师": {ask: askService}, "医院": {ask: askService}, "受伤": {ask: askService}, "着火": {ask: askService},
	"冒烟": {ask: askService}, "折扣": {ask: askService}, "优惠": {ask: askService}, "优惠券": {ask: askService},
	"降价": {ask: askService}, "补差价": {ask: askService}, "招人": {ask: askService}, "招聘": {ask: askService},
	"天猫": {ask: askService}, "淘宝": {ask: askService}, "京东": {ask: askService}, "试用": {ask: askService},
	"赔": {ask: askService}, "赔偿": {ask: askService}, "退款": {ask: askService}, "退货": {ask: askService},
	"换": {ask: askService}, "定制": {ask: askService}, "预订": {ask: askService}, "预定": {ask: askService},
	"二手": {ask: askService}, "回收": {ask: askService}, "保险": {ask: askService}, "礼品卡": {ask: askService},
	"包装": {ask: askService}, "漏水": {ask: askService}, "漏电": {ask: askService}, "不转": {ask: askService},
	"不亮": {ask: askService}, "不工作": {ask: askService}, "失灵": {ask: askService}, "坏": {ask: askService},
	"变质": {ask: askService}, "过期": {ask: askService}, "试": {ask: askService}, "购物卡": {ask: askService},
}

// attrConcepts maps an attribute concept to the column names a catalogue
// may give it, in both languages, and its display labels.
var attrConcepts = map[string]struct {
	columns []string
	en, zh  string
}{
	"price":    {columns: []string{"price"}, en: "Price", zh: "价格"},
	"stock":    {columns: []string{"stock", "inventory", "qty", "quantity", "availability", "in_stock", "instock", "库存"}, en: "Stock", zh: "库存"},
	"size":     {columns: []string{"size", "sizes", "dimensions", "dimension", "measurements", "尺寸", "规格", "尺码"}, en: "Size", zh: "尺寸"},
	"length":   {columns: []string{"length", "height", "width", "size", "dimensions", "长度", "尺寸"}, en: "Size", zh: "尺寸"},
	"weight":   {columns: []string{"weight", "net_weight", "netweight", "mass", "重量", "净重"}, en: "Weight", zh: "重量"},
	"warranty": {columns: []string{"warranty", "guarantee", "保修", "质保"}, en: "Warranty", zh: "保修"},
	"origin":   {columns: []string{"origin", "country", "made_in", "madein", "region", "产地"}, en: "Origin", zh: "产地"},
	"material": {columns: []string{"material", "materials", "fabric", "材质", "材料"}, en: "Material", zh: "材质"},
	"brand":    {columns: []string{"brand", "make", "manufacturer", "maker", "品牌"}, en: "Brand", zh: "品牌"},
	"colour":   {columns: []string{"colour", "color", "colours", "colors", "颜色"}, en: "Colour", zh: "颜色"},
	"capacity": {columns: []string{"capacity", "volume", "容量"}, en: "Capacity", zh: "容量"},
	"power":    {columns: []string{"power", "wattage", "watts", "功率"}, en: "Power", zh: "功率"},
	"age":      {columns: []string{"age", "ages", "age_range", "年龄"}, en: "Age", zh: "适用年龄"},
}

// enStop are English words that carry no subject: function words, question
// words, and the people a gift is for.
var enStop = set(
	"a", "an", "the", "is", "are", "was", "were", "be", "been", "am", "do", "does", "did", "doing",
	"you", "u", "ur", "your", "yours", "i", "im", "ive", "id", "me", "my", "mine", "we", "us", "our",
	"it", "its", "this", "that", "these", "those", "there", "here", "they", "them", "their", "he", "she",
	"his", "her", "him", "of", "for", "to", "in", "on", "at", "by", "with", "w", "from", "about", "as",
	"and", "or", "but", "if", "so", "than", "then", "too", "also", "very", "really", "just", "only",
	"what", "whats", "which", "who", "whom", "whose", "when", "where", "why", "how", "hows",
	"can", "could", "would", "should", "will", "shall", "may", "might", "must", "have", "has", "had",
	"get", "got", "give", "please", "pls", "plz", "thanks", "thank", "thx", "hi", "hello", "hey",
	"one", "ones", "some", "any", "all", "much", "many", "more", "most", "less", "not", "no", "yes",
	"ok", "okay", "good", "nice", "well", "like", "want", "wanted", "need", "looking", "look", "know",
	"tell", "let", "say", "think", "guys", "kind", "kinds", "type", "types", "sort", "thing", "things",
	"something", "anything", "option", "options", "version", "model", "models", "item", "items",
	"product", "products", "buy", "buying", "purchase", "sell", "selling", "sold", "stuff", "currently",
	"now", "today", "still", "ever", "yet", "come", "comes", "go", "use", "used", "using", "make",
	"friend", "friends", "wife", "husband", "mum", "mom", "mother", "dad", "father", "son", "daughter",
	"boyfriend", "girlfriend", "colleague", "boss", "parents", "family", "someone", "somebody", "person",
	"people", "dont", "doesnt", "isnt", "arent", "cant", "wont", "available", "offer", "between", "should",
	"youve", "youre", "youd", "weve", "were", "theyre", "theyve", "ill", "its", "thats", "theres", "whos",
	"contain", "contains", "include", "includes", "inside",
)

// zhStop are Chinese characters and words that carry no subject.
var zhStop = set(
	"的", "了", "吗", "呢", "吧", "啊", "呀", "么", "嘛", "哦", "噢", "哈", "啦", "喔", "嗯",
	"我", "你", "您", "他", "她", "它", "们", "这", "那", "哪", "个", "款", "种", "些", "位", "只",
	"是", "有", "没", "不", "在", "也", "都", "就", "还", "很", "太", "更", "挺", "请", "问", "想",
	"要", "能", "会", "可", "以", "给", "和", "跟", "与", "或", "及", "把", "被", "让", "对", "为",
	"啥", "什", "怎", "样", "多", "少", "几", "吗", "点", "下", "一", "里", "上", "中", "用", "用的",
	"东西", "商品", "产品", "一下", "一款", "一个", "请问", "你好", "您好", "谢谢", "麻烦", "现在",
	"朋友", "老婆", "老公", "男朋友", "女朋友", "同事", "老板", "爸爸", "妈妈", "爸", "妈", "家人",
	"之", "其", "得", "地", "着", "过", "又", "再", "才", "已", "经", "从",
)

// sizeWords map the words of garment-style sizes, in both languages, to
// one letter code: "大号" and "large" both match "L号" and "Large".
var sizeWords = map[string]string{
	"small": "s", "medium": "m", "large": "l", "xl": "xl", "xs": "xs", "xxl": "xxl",
	"小号": "s", "小码": "s", "中号": "m", "中码": "m", "大号": "l", "大码": "l",
	"加大": "xl", "加大号": "xl", "特大号": "xl",
}

// sizeAlts are the terms a size code also matches.
var sizeAlts = map[string][]string{
	"s": {"s", "small", "小号"}, "m": {"m", "medium", "中号"}, "l": {"l", "large", "大号"},
	"xl": {"xl", "加大", "特大号"}, "xs": {"xs"}, "xxl": {"xxl"},
}

// zhParticles never start or end a word: a bigram holding one ("的公")
// is not searched.
var zhParticles = set("的", "了", "吗", "呢", "吧", "啊", "呀", "么", "嘛", "哦", "和", "跟", "与", "或",
	"及", "把", "被", "让", "也", "都", "就", "很", "太", "是", "我", "你", "您", "们")

// Connectives that split a comparison into its two sides.
var (
	enAnd = set("and", "or", "vs", "versus", "with", "than")
	zhAnd = set("和", "跟", "与", "还是", "或", "或者", "对比", "比", "同")
)

// enNumbers and zhDigits read number words.
var (
	enNumbers = map[string]float64{
		"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
		"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple": 2, "single": 1,
		"half": 0.5, "dozen": 12,
	}
	zhDigits = map[rune]float64{
		'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '俩': 2, '三': 3, '四': 4, '五': 5,
		'六': 6, '七': 7, '八': 8, '九': 9, '十': 10, '半': 0.5,
	}
)

// measure is a unit of measure a quantity is written in.
type measure struct {
	dim    string  // mass, length, volume, power, people, age, light, charge, energy, time
	factor float64 // to the dimension's base unit (g, mm, ml, W, person, year, lm, mAh, Wh, hour)
}

// units are the unit words and symbols read after a number, lower case.
var units = map[string]measure{
	"g": {"mass", 1}, "gram": {"mass", 1}, "grams": {"mass", 1}, "kg": {"mass", 1000}, "kgs": {"mass", 1000},
	"kilo": {"mass", 1000}, "kilos": {"mass", 1000}, "kilogram": {"mass", 1000}, "kilograms": {"mass", 1000},
	"lb": {"mass", 453.6}, "lbs": {"mass", 453.6}, "pound": {"mass", 453.6}, "pounds": {"mass", 453.6},
	"oz": {"mass", 28.35}, "克": {"mass", 1}, "公斤": {"mass", 1000}, "千克": {"mass", 1000}, "斤": {"mass", 500},
	"mm": {"length", 1}, "cm": {"length", 10}, "m": {"length", 1000}, "metre": {"length", 1000},
	"meter": {"length", 1000}, "metres": {"length", 1000}, "meters": {"length", 1000}, "km": {"length", 1e6},
	"inch": {"length", 25.4}, "inches": {"length", 25.4}, "in": {"length", 25.4}, "\"": {"length", 25.4},
	"ft": {"length", 304.8}, "feet": {"length", 304.8}, "foot": {"length", 304.8},
	"毫米": {"length", 1}, "厘米": {"length", 10}, "公分": {"length", 10}, "米": {"length", 1000},
	"公里": {"length", 1e6}, "寸": {"length", 25.4}, "英寸": {"length", 25.4},
	"ml": {"volume", 1}, "l": {"volume", 1000}, "litre": {"volume", 1000}, "liter": {"volume", 1000},
	"litres": {"volume", 1000}, "liters": {"volume", 1000}, "毫升": {"volume", 1}, "升": {"volume", 1000},
	"w": {"power", 1}, "watt": {"power", 1}, "watts": {"power", 1}, "kw": {"power", 1000}, "瓦": {"power", 1},
	"person": {"people", 1}, "persons": {"people", 1}, "people": {"people", 1}, "pax": {"people", 1},
	"人": {"people", 1}, "人份": {"people", 1},
	// Years and months are durations ("warranty 5 years") unless "old",
	// "ages" or 岁 make them an age (see asAge).
	"year": {"time", hoursPerYear}, "years": {"time", hoursPerYear}, "yr": {"time", hoursPerYear},
	"yrs": {"time", hoursPerYear}, "month": {"time", hoursPerYear / 12}, "months": {"time", hoursPerYear / 12},
	"个月": {"time", hoursPerYear / 12}, "yo": {"age", 1}, "岁": {"age", 1},
	"lumen": {"light", 1}, "lumens": {"light", 1}, "lm": {"light", 1}, "流明": {"light", 1},
	"mah": {"charge", 1}, "ah": {"charge", 1000}, "wh": {"energy", 1},
	"h": {"time", 1}, "hr": {"time", 1}, "hrs": {"time", 1}, "hour": {"time", 1}, "hours": {"time", 1},
	"min": {"time", 1.0 / 60}, "mins": {"time", 1.0 / 60}, "minute": {"time", 1.0 / 60}, "minutes": {"time", 1.0 / 60},
	"小时": {"time", 1}, "分钟": {"time", 1.0 / 60},
}

// hoursPerYear converts years, the unit of ages, to hours, the unit of
// durations.
const hoursPerYear = 8766.0

// ageWords before numbers make them ages: "Ages 3 to 5", "aged 6 months".
var ageWords = set("age", "ages", "aged")

// asAge turns a duration in years or months into an age.
func asAge(q quantity) quantity {
	if q.dim == "time" {
		return quantity{dim: "age", lo: q.lo / hoursPerYear, hi: q.hi / hoursPerYear}
	}
	return q
}

// moneyWords mark a number as an amount of money.
var moneyWords = set("¥", "￥", "$", "€", "£", "rmb", "yuan", "cny", "usd", "eur", "gbp", "dollars",
	"dollar", "bucks", "kuai", "euro", "euros", "hkd", "元", "块", "块钱", "人民币", "圆", "欧", "欧元", "美元",
	"英镑", "港币", "港元", "日元")

// Price bounds before (EN) or after (ZH) the number.
var (
	enBelow  = []string{"under", "below", "less than", "cheaper than", "up to", "upto", "max", "maximum", "at most", "no more than", "not more than", "within", "lower than", "<", "<=", "budget", "budget of", "budget is", "no more then", "less then"}
	enAbove  = []string{"over", "above", "more than", "at least", "from", "min", "minimum", "upwards of", "higher than", ">", ">=", "more then"}
	enAround = []string{"around", "about", "approximately", "approx", "roughly", "~", "circa", "near"}
	enAfter  = map[string]int{"or less": -1, "or under": -1, "max": -1, "and under": -1, "or below": -1, "or more": 1, "and up": 1, "and over": 1, "plus": 1, "+": 1, "ish": 0}
	zhBefore = map[string]int{"不超过": -1, "不到": -1, "低于": -1, "少于": -1, "小于": -1, "最多": -1, "预算": -1,
		"超过": 1, "高于": 1, "多于": 1, "大于": 1, "至少": 1, "大概": 0, "大约": 0, "差不多": 0}
	zhAfter = map[string]int{"以内": -1, "以下": -1, "之内": -1, "内": -1, "以上": 1, "之上": 1, "起": 1, "左右": 0, "上下": 0, "出头": 0}
)

// categoryNouns name a category as a whole: "aquarium supplies",
// "鱼缸用品里最便宜的".
var categoryNouns = set("supplies", "range", "section", "category", "department", "selection", "collection",
	"用品", "类", "系列", "区", "品类", "类别")

// aliasColumns are columns whose values name the product, like its name.
var aliasColumns = set("alias", "aliases", "aka", "nickname", "nicknames", "keywords", "keyword",
	"synonyms", "other_names", "also_known_as", "别名", "关键词")

// set builds a membership map.
func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
