;; Nested loops: a triangle of (i, j) pairs printed as 10*i + j for 1 <= j <= i <= 4, then the number of
;; triples i < j < k below 6 counted by three nested loops whose inner bounds depend on the outer counters.
(module
  (import "env" "output" (func $output (param i32)))
  (func (export "main")
    (local $i i32) (local $j i32) (local $k i32) (local $count i32)
    (local.set $i (i32.const 1))
    (loop $rows
      (local.set $j (i32.const 1))
      (loop $cols
        (call $output (i32.add (i32.mul (local.get $i) (i32.const 10)) (local.get $j)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $cols (i32.le_s (local.get $j) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $rows (i32.le_s (local.get $i) (i32.const 4))))
    ;; triples: i in 0..5, j in i+1..5, k in j+1..5 (zero-trip inner loops near the top)
    (local.set $i (i32.const 0))
    (block $i_done
      (loop $i_loop
        (br_if $i_done (i32.ge_s (local.get $i) (i32.const 6)))
        (local.set $j (i32.add (local.get $i) (i32.const 1)))
        (block $j_done
          (loop $j_loop
            (br_if $j_done (i32.ge_s (local.get $j) (i32.const 6)))
            (local.set $k (i32.add (local.get $j) (i32.const 1)))
            (block $k_done
              (loop $k_loop
                (br_if $k_done (i32.ge_s (local.get $k) (i32.const 6)))
                (local.set $count (i32.add (local.get $count) (i32.const 1)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $k_loop)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $j_loop)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $i_loop)))
    (call $output (local.get $count))
  )
)
