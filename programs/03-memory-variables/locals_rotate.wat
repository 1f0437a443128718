;; Eight locals start at zero; values are rotated through them with local.tee chains.
(module
  (import "env" "output" (func $output (param i32)))
  (func (export "main")
    (local $a i32) (local $b i32) (local $c i32) (local $d i32)
    (local $e i32) (local $f i32) (local $g i32) (local $h i32)
    ;; all zero at first: their sum is 0
    (call $output (i32.add (i32.add (i32.add (local.get $a) (local.get $b))
                                    (i32.add (local.get $c) (local.get $d)))
                           (i32.add (i32.add (local.get $e) (local.get $f))
                                    (i32.add (local.get $g) (local.get $h)))))
    ;; tee chain: every local becomes 5
    (local.set $a (local.tee $b (local.tee $c (local.tee $d
      (local.tee $e (local.tee $f (local.tee $g (local.tee $h (i32.const 5)))))))))
    (call $output (i32.mul (local.get $a) (local.get $h)))           ;; 25
    ;; distinct values 1..8
    (local.set $a (i32.const 1)) (local.set $b (i32.const 2))
    (local.set $c (i32.const 3)) (local.set $d (i32.const 4))
    (local.set $e (i32.const 5)) (local.set $f (i32.const 6))
    (local.set $g (i32.const 7)) (local.set $h (i32.const 8))
    ;; rotate left by one: a <- b <- c ... <- h <- old a
    (local.get $a)
    (local.set $a (local.get $b)) (local.set $b (local.get $c))
    (local.set $c (local.get $d)) (local.set $d (local.get $e))
    (local.set $e (local.get $f)) (local.set $f (local.get $g))
    (local.set $g (local.get $h))
    (local.set $h)
    ;; weighted sum a*1 + b*10 + ... shows the order: 2,3,4,5,6,7,8,1
    (call $output (local.get $a))
    (call $output (local.get $h))
    (call $output
      (i32.add (i32.add (i32.add (local.get $a) (i32.mul (local.get $b) (i32.const 10)))
                        (i32.add (i32.mul (local.get $c) (i32.const 100)) (i32.mul (local.get $d) (i32.const 1000))))
               (i32.add (i32.add (i32.mul (local.get $e) (i32.const 10000)) (i32.mul (local.get $f) (i32.const 100000)))
                        (i32.add (i32.mul (local.get $g) (i32.const 1000000)) (i32.mul (local.get $h) (i32.const 10000000))))))
  )
)
