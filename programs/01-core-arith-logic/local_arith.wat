;; Arithmetic through named locals: set, get, tee, and two algebraic identities computed both ways.
(module
  (import "env" "output" (func $output (param i32)))
  (func (export "main")
    (local $a i32) (local $b i32) (local $x i32) (local $t i32)
    (local.set $a (i32.const 17))
    (local.set $b (i32.const 5))
    ;; (a + b) * (a - b) = 22 * 12 = 264
    (call $output (i32.mul (i32.add (local.get $a) (local.get $b))
                           (i32.sub (local.get $a) (local.get $b))))
    ;; a*a - b*b = 289 - 25 = 264
    (call $output (i32.sub (i32.mul (local.get $a) (local.get $a))
                           (i32.mul (local.get $b) (local.get $b))))
    ;; x*x + 3x + 2 at x = 7: 72
    (local.set $x (i32.const 7))
    (call $output (i32.add (i32.add (i32.mul (local.get $x) (local.get $x))
                                    (i32.mul (i32.const 3) (local.get $x)))
                           (i32.const 2)))
    ;; (x + 1) * (x + 2) = 72
    (call $output (i32.mul (i32.add (local.get $x) (i32.const 1))
                           (i32.add (local.get $x) (i32.const 2))))
    ;; tee: t = 9, leaves 9 on the stack; 9 + t = 18
    (call $output (i32.add (local.tee $t (i32.const 9)) (local.get $t)))
    ;; swap a and b through t, output a then b: 5, 17
    (local.set $t (local.get $a))
    (local.set $a (local.get $b))
    (local.set $b (local.get $t))
    (call $output (local.get $a))
    (call $output (local.get $b))
    ;; accumulate: a = a * 3 - b  -> 15 - 17 = -2
    (local.set $a (i32.sub (i32.mul (local.get $a) (i32.const 3)) (local.get $b)))
    (call $output (local.get $a))
  )
)
