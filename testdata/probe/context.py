"""context.py COMPANY_DIR OUT.csv: COMPANY_DIR/messages.csv with a sentence of
context put before every answerable and product question ("first time ordering
from you guys, …", "昨天在小红书看到你们，…"), seeded, for `concierge answers eval
--messages OUT.csv COMPANY_DIR`.

Customers tell a bit of their story before they ask; the labelled companies'
messages mostly do not. On the read eleven this costs far more than greetings do
(README, stop 48). The ten sentences per language were written for this script;
one of them ("sorry if this was asked before") is a kind of clause the bot
now drops (bot.cutApologyClause), so that part of the figure moves by
construction.
"""
import csv, os, random, sys
random.seed(7)
EN=["my mum loved the last one I got from you, so","we're having friends over on saturday and","first time ordering from you guys,","a colleague recommended you and","I'm on a bit of a budget this month,","just moved to the area and","asking for my dad who doesn't use wechat:","I saw your post on xiaohongshu yesterday,","it's for my sister's birthday next week,","sorry if this was asked before,"]
ZH=["我妈上次买了觉得挺好，","周末家里来客人，","第一次在你们家买，","同事推荐的，","这个月预算有点紧，","刚搬到这边，","帮我爸问一下，他不会用小程序，","昨天在小红书看到你们，","下周我姐生日，","不好意思可能有人问过了，"]
src,out=sys.argv[1],sys.argv[2]
rows=list(csv.DictReader(open(os.path.join(src,"messages.csv"),encoding="utf-8")))
w=csv.DictWriter(open(out,"w",encoding="utf-8",newline=""),fieldnames=rows[0].keys())
w.writeheader()
for r in rows:
    if r["kind"] in ("answerable","product"):
        zh=r["lang"]=="zh"
        c=random.choice(ZH if zh else EN)
        r["text"]=(c+r["text"]) if zh else (c+" "+r["text"])
    w.writerow(r)
