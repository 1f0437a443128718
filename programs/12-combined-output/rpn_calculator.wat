;; A reverse-Polish calculator over file 0: digit runs push numbers onto a stack kept in memory at 4096,
;; '+', '-' and '*' pop two values and push the result (an operator with fewer than two values is ignored),
;; other bytes separate numbers, and '\n' or the end of the file prints the top of the stack (if any) and
;; empties it.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (memory 1)
  (func (export "main")
    (local $c i32) (local $sp i32) (local $num i32) (local $in_num i32) (local $a i32) (local $b i32)
    ;; sp = byte offset of the next free slot above 4096
    (drop (call $fd_open (i32.const 0)))
    (loop $read
      (local.set $c (call $fd_read (i32.const 0)))
      (if (i32.and (i32.ge_s (local.get $c) (i32.const 48)) (i32.le_s (local.get $c) (i32.const 57)))
        (then
          (local.set $num (i32.add (i32.mul (local.get $num) (i32.mul (local.get $in_num) (i32.const 10)))
                                   (i32.sub (local.get $c) (i32.const 48))))
          (local.set $in_num (i32.const 1)))
        (else
          ;; finish a pending number
          (if (local.get $in_num)
            (then
              (i32.store offset=4096 (local.get $sp) (local.get $num))
              (local.set $sp (i32.add (local.get $sp) (i32.const 4)))
              (local.set $in_num (i32.const 0))
              (local.set $num (i32.const 0))))
          (if (i32.and (i32.or (i32.or (i32.eq (local.get $c) (i32.const 43)) (i32.eq (local.get $c) (i32.const 45)))
                               (i32.eq (local.get $c) (i32.const 42)))
                       (i32.ge_s (local.get $sp) (i32.const 8)))
            (then
              (local.set $b (i32.load offset=4092 (local.get $sp)))
              (local.set $a (i32.load offset=4088 (local.get $sp)))
              (local.set $sp (i32.sub (local.get $sp) (i32.const 4)))
              (i32.store offset=4092 (local.get $sp)
                (if (result i32) (i32.eq (local.get $c) (i32.const 43))
                  (then (i32.add (local.get $a) (local.get $b)))
                  (else
                    (if (result i32) (i32.eq (local.get $c) (i32.const 45))
                      (then (i32.sub (local.get $a) (local.get $b)))
                      (else (i32.mul (local.get $a) (local.get $b)))))))))
          (if (i32.or (i32.eq (local.get $c) (i32.const 10)) (i32.eq (local.get $c) (i32.const -1)))
            (then
              (if (i32.gt_s (local.get $sp) (i32.const 0))
                (then (call $output (i32.load offset=4092 (local.get $sp)))))
              (local.set $sp (i32.const 0))))))
      (br_if $read (i32.ne (local.get $c) (i32.const -1))))
  )
)
