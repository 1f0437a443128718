;; All six signed comparisons over every ordered pair of {INT_MIN, -1, 0, 1, INT_MAX}, kept in memory.
;; Each pair prints eq + 2*ne + 4*lt_s + 8*gt_s + 16*le_s + 32*ge_s.
(module
  (import "env" "output" (func $output (param i32)))
  (memory 1)
  (func (export "main")
    (local $i i32) (local $j i32) (local $a i32) (local $b i32)
    (i32.store (i32.const 0)  (i32.const -2147483648))
    (i32.store (i32.const 4)  (i32.const -1))
    (i32.store (i32.const 8)  (i32.const 0))
    (i32.store (i32.const 12) (i32.const 1))
    (i32.store (i32.const 16) (i32.const 2147483647))
    (loop $rows
      (local.set $a (i32.load (i32.mul (local.get $i) (i32.const 4))))
      (local.set $j (i32.const 0))
      (loop $cols
        (local.set $b (i32.load (i32.mul (local.get $j) (i32.const 4))))
        (call $output
          (i32.add
            (i32.add
              (i32.add (i32.eq (local.get $a) (local.get $b))
                       (i32.mul (i32.const 2) (i32.ne (local.get $a) (local.get $b))))
              (i32.add (i32.mul (i32.const 4) (i32.lt_s (local.get $a) (local.get $b)))
                       (i32.mul (i32.const 8) (i32.gt_s (local.get $a) (local.get $b)))))
            (i32.add (i32.mul (i32.const 16) (i32.le_s (local.get $a) (local.get $b)))
                     (i32.mul (i32.const 32) (i32.ge_s (local.get $a) (local.get $b))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $cols (i32.lt_s (local.get $j) (i32.const 5))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $rows (i32.lt_s (local.get $i) (i32.const 5))))
  )
)
