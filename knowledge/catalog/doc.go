// Package catalog answers customers' questions about a company's products
// from its own product files, in English and Simplified Chinese: the price,
// any column the file declares (size, weight, origin, stock, warranty, …),
// whether a product or a kind of product is sold, which products are under
// or over a price, the cheapest and the most expensive, the lightest or the
// biggest, and the difference between two products.
//
// Nothing here knows a trade. Everything the package recognises comes from
// the catalogue itself — names, SKUs, tags, aliases, categories, the column
// names and their values, descriptions — plus a small built-in bilingual
// vocabulary of shop-question words ("how much", "多少钱", "cheapest",
// "有没有", "under", "以内", "size", "尺寸", …) and of the service topics a
// catalogue must leave to the knowledge base (shipping, returns, payment).
//
// An answer is built in three steps:
//
//  1. Parse reads the message into a Question: what is asked (price, an
//     attribute, stock, "do you sell", a comparison, a superlative, a
//     recommendation), price bounds, quantities with units ("25 kg",
//     "130cm", "一人"), and the remaining subject words.
//  2. The subject is matched against every product: English words (stems,
//     joined and hyphenated forms, one or two typos) and Chinese character
//     bigrams, weighted by how rare they are in the catalogue and by the
//     field they hit (SKU and name over tags and category over attribute
//     values over description), with bonuses for whole phrases, for the
//     head word of a name, and for quantities that fall in a product's
//     stated range.
//  3. The reply is composed from the matched products' own rows in the
//     customer's language, with the products cited, and a Confidence from
//     features that mean the same on any catalogue (how much of the message
//     the products explain, whether a name matched, the margin over the
//     runner-up).
package catalog
