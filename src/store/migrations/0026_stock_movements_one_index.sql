-- Stock movements keep one index besides their id: (product_id, id). Every query of them names
-- the product (the movement list, the product import's "was it ever stocked here", the check);
-- with the store too, the product's movements are read in id order and the store filtered,
-- and a bookshop has few stores. The (store_id, product_id, id) index cost each sale line an
-- insert at a random place, a page of its own in each group commit's WAL (docs/benchmarks.md,
-- "Checkout, tenth session").
DROP INDEX stock_movements_store_product;
