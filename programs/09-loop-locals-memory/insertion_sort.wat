;; Insertion sort of twelve signed words (including INT_MIN, INT_MAX, -1, 0 and duplicates) stored at 100..147;
;; prints the sorted array.
(module
  (import "env" "output" (func $output (param i32)))
  (memory 1)
  (func (export "main")
    (local $i i32) (local $j i32) (local $key i32)
    (i32.store offset=100 (i32.const 0)  (i32.const 42))
    (i32.store offset=100 (i32.const 4)  (i32.const -1))
    (i32.store offset=100 (i32.const 8)  (i32.const 2147483647))
    (i32.store offset=100 (i32.const 12) (i32.const 0))
    (i32.store offset=100 (i32.const 16) (i32.const -2147483648))
    (i32.store offset=100 (i32.const 20) (i32.const 7))
    (i32.store offset=100 (i32.const 24) (i32.const -1))
    (i32.store offset=100 (i32.const 28) (i32.const 1000000))
    (i32.store offset=100 (i32.const 32) (i32.const -300))
    (i32.store offset=100 (i32.const 36) (i32.const 7))
    (i32.store offset=100 (i32.const 40) (i32.const 1))
    (i32.store offset=100 (i32.const 44) (i32.const -2147483647))
    ;; i and j are byte offsets into the array; j is the hole where key will go, so a[j-1] is at offset 96
    (local.set $i (i32.const 4))
    (loop $outer
      (local.set $key (i32.load offset=100 (local.get $i)))
      (local.set $j (local.get $i))
      (block $placed
        (loop $shift
          (br_if $placed (i32.eq (local.get $j) (i32.const 0)))
          (br_if $placed (i32.le_s (i32.load offset=96 (local.get $j)) (local.get $key)))
          ;; a[j] = a[j-1]
          (i32.store offset=100 (local.get $j) (i32.load offset=96 (local.get $j)))
          (local.set $j (i32.sub (local.get $j) (i32.const 4)))
          (br $shift)))
      (i32.store offset=100 (local.get $j) (local.get $key))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $outer (i32.lt_s (local.get $i) (i32.const 48))))
    (local.set $i (i32.const 0))
    (loop $print
      (call $output (i32.load offset=100 (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $print (i32.lt_s (local.get $i) (i32.const 48))))
  )
)
