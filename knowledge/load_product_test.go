package knowledge

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLoadProductColumns checks that product files keep every column they
// declare, in CSV, JSON and YAML alike: the catalogue answers from them.
func TestLoadProductColumns(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"products.csv": "sku,name,category,price,currency,description,tags,lang,Size,weight,stock,colour\n" +
			"B-1,City bike,Bikes,$1599.00,USD,A bike.,city;bike,en,S / M / L,14 kg,3,\n",
		"products_x.json": `[{"sku": "L-2", "name": "Lock", "price": 69, "currency": "CNY", "material": "steel", "stock": 0, "url": "/p/lock"}]`,
		"products_y.yaml": "products:\n  - sku: H-3\n    name: Helmet\n    origin: Italy\n    sizes: [S, M]\n",
	})
	docs, probs, err := Load(os.DirFS(dir))
	if err != nil || len(probs) > 0 {
		t.Fatalf("Load: %v %v", err, probs)
	}
	type product struct {
		Category, Description, Price, Currency string
		Attrs                                  map[string]string
	}
	got := map[string]product{}
	for _, d := range docs {
		got[d.ID] = product{d.Category, d.Description, d.Price, d.Currency, d.Attrs}
	}
	want := map[string]product{
		"B-1": {"Bikes", "A bike.", "1599.00", "USD", map[string]string{"size": "S / M / L", "weight": "14 kg", "stock": "3"}},
		"L-2": {"", "", "69", "CNY", map[string]string{"material": "steel", "stock": "0", "url": "/p/lock"}},
		"H-3": {"", "", "", "", map[string]string{"origin": "Italy", "sizes": "S;M"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("product columns (-want +got):\n%s", diff)
	}
}
