package entity

// paymentsTable lists the payment methods and their categories. Its format is
// described in its first lines.
const paymentsTable = `# Payment methods. Written for Concierge.
#
# Format, one entity a line:  id | English names | Chinese names | parents | flags
#   names    ';'-separated; the first of each language is its display name;
#            ^Name: only when written with a capital; =Name: only in exactly
#            this case; name(s): the name and its plural.
#   parents  space-separated ids of the methods that include this one (Visa is
#            a credit card); ~id names a related method that does not include
#            it (Huabei is paid through Alipay, but accepting Alipay does not
#            mean accepting Huabei).
#   flags    "open": a category a question about it is answered by any of its
#            members ("Can I pay by credit card?" - "We take Visa": yes).
#   id "-"   stop phrases: text that contains a method's name but names none.

# ---- categories ----
wallet | mobile payments; mobile payment(s); mobile wallet(s); e-wallet(s); ewallet(s); digital wallet(s); mobile pay | 移动支付; 电子钱包; 手机支付; 扫码支付 | | open
card | bank cards; bank card(s); card payment(s); pay by card; payment card(s); credit or debit card(s); foreign card(s); international card(s) | 银行卡; 刷卡; 外卡; 境外卡; 境外银行卡 | | open
credit_card | credit cards; credit card(s); creditcard(s); major credit card(s) | 信用卡; 贷记卡 | card | open
debit_card | debit cards; debit card(s); check card(s) | 借记卡; 储蓄卡 | card | open
instalments | instalments; instalment(s); installment(s); instalment plan(s); installment plan(s); pay in instalments; pay in installments; buy now pay later; buy now, pay later; BNPL; pay later | 分期付款; 分期; 先买后付; 先用后付 | | open
crypto | cryptocurrency; cryptocurrencies; crypto; crypto currency; crypto currencies | 加密货币; 虚拟货币 | | open

# ---- wallets and apps ----
alipay | Alipay; Ali pay; Alipay+; AlipayHK; Alipay HK; alipy; allipay; alipya; zfb; zhifubao | 支付宝; 支付寶; 支付宝转账; 支付宝钱包 | wallet
wechat_pay | WeChat Pay; WeChatPay; WeChat; Weixin Pay; Weixin; WeChat Pay HK; wxpay; wx pay; wechat pya; wechatpya | 微信支付; 微信; 微信转账; 微信钱包; 财付通 | wallet
unionpay_quickpass | UnionPay QuickPass; QuickPass; Quick Pass | 云闪付 | wallet ~unionpay
apple_pay | Apple Pay; ApplePay; Aple Pay; Apple Wallet | Apple Pay; 苹果支付; 苹果pay | wallet
google_pay | Google Pay; GooglePay; GPay; G Pay; Android Pay; Google Wallet | Google Pay; 谷歌支付 | wallet
samsung_pay | Samsung Pay; SamsungPay | Samsung Pay; 三星支付 | wallet
paypal | PayPal; Pay Pal; Paypall; Paypel | PayPal; 贝宝 | wallet
venmo | Venmo | | wallet
zelle | Zelle | | wallet
cash_app | Cash App; CashApp | | wallet
jd_pay | JD Pay | 京东支付 | wallet
paynow | PayNow | | wallet
grabpay | GrabPay; Grab Pay | | wallet
kakao_pay | KakaoPay; Kakao Pay | | wallet
line_pay | LINE Pay | | wallet
paypay | PayPay | | wallet
octopus | Octopus card; ^Octopus | 八达通; 八達通 | wallet
e_cny | e-CNY; eCNY; digital RMB; digital yuan; digital renminbi | 数字人民币; 数币 | wallet

# ---- cards ----
unionpay | UnionPay; Union Pay; China UnionPay; UnionPay card(s); Union Pay card(s) | 银联; 银联卡; 中国银联; 銀聯 | credit_card debit_card
visa | Visa; Visa card(s); Visa Debit | Visa; visa卡; 维萨 | credit_card debit_card
mastercard | Mastercard; MasterCard card(s); Master Card; Master-Card; Mastercad; Mastecard; Mastercards | 万事达; 万事达卡; 萬事達 | credit_card debit_card
amex | American Express; Amex; AmEx card(s); americanexpress; American Express card(s) | 美国运通; 美国运通卡; 运通卡; 运通 | credit_card
jcb | JCB; JCB card(s) | JCB; jcb卡 | credit_card
discover | Discover card(s); Discover Network | 发现卡 | credit_card
diners | Diners Club; Diners Club International; Diners Club card(s) | 大来卡; 大莱卡 | credit_card
maestro | ^Maestro | | debit_card
bancontact | Bancontact | | debit_card
interac | Interac; Interac e-Transfer | | debit_card

# ---- instalments ----
huabei | Huabei; Hua Bei; Ant Credit Pay | 花呗; 蚂蚁花呗; 花唄 | instalments ~alipay
jd_baitiao | JD Baitiao; Baitiao | 京东白条; 白条 | instalments ~jd_pay
klarna | Klarna | | instalments
afterpay | Afterpay; Clearpay | | instalments

# ---- banks, cash and paper ----
bank_transfer | bank transfer; bank transfer(s); wire transfer(s); bank wire; direct bank transfer; telegraphic transfer; SEPA transfer; SEPA | 银行转账; 转账; 银行汇款; 汇款; 电汇; 网银转账 |
corporate_transfer | company transfer; company-to-company transfer(s); company to company transfer(s); corporate transfer(s); business bank transfer | 对公转账; 公对公转账; 公对公; 对公汇款; 公司转账 | bank_transfer
online_banking | online banking; internet banking | 网银; 网上银行; 网银支付 |
ideal | =iDEAL | | online_banking
sofort | Sofort | | online_banking
fps | =FPS; Faster Payment System | 转数快; 轉數快 | bank_transfer
cash | cash; cash payment(s) | 现金; 现金支付; 现金付款; 现钞 |
cod | cash on delivery; =COD; =C.O.D.; pay on delivery; payment on delivery; collect on delivery; pay upon delivery; pay at the door | 货到付款; 到付; 货到付; 货到付现 | ~cash
gift_card | gift cards; gift card(s); giftcard(s); gift voucher(s); gift certificate(s); e-gift card(s); egift card(s) | 礼品卡; 礼卡; 购物卡; 储值卡; 电子礼品卡 |
cheque | cheques; cheque(s); check payment(s); personal check(s); personal cheque(s); bank check(s); cashier's check(s); bank draft(s); pay by check | 支票 |
money_order | money orders; money order(s); postal order(s) | 邮政汇票 |
western_union | Western Union | 西联汇款; 西联 |
bitcoin | Bitcoin; =BTC | 比特币 | crypto
ethereum | Ethereum; =ETH | 以太坊 | crypto
usdt | USDT; Tether | 泰达币 | crypto

# ---- stop phrases ----
- | travel visa(s); tourist visa(s); student visa(s); work visa(s); business visa(s); transit visa(s); entry visa(s); visa application(s); visa free; visa on arrival; visa requirement(s); need a visa; cash back; cash coupon(s); cash voucher(s); cash prize(s); petty cash; cash register; WeChat group; WeChat account; WeChat ID; WeChat official account | 现金券; 现金红包; 现金奖励; 运费到付; 邮费到付; 到付运费; 快递到付; 微信群; 微信号; 微信公众号; 加微信; 微信客服 |
`
