{#- Every segment mart, in catalog order. segment_memberships, segment_summary and
    segment_performance read this list (dbt needs its refs written out when it parses the
    project). Adding a segment of your own: copy a seg_ model and its YAML entry, and add its
    name here; the test assert_segment_registry_matches_models fails if you forget. -#}
{% macro segment_models() -%}
    {{ return([
        'seg_biggest_fans', 'seg_brand_fans', 'seg_potential_fans', 'seg_potential_brand_lovers',
        'seg_former_biggest_fans', 'seg_former_brand_fans', 'seg_flash_in_the_pan',
        'seg_drive_by_shoppers',
        'seg_fence_sitters', 'seg_window_shoppers', 'seg_espresso_shoppers',
        'seg_interested_shoppers', 'seg_false_starts', 'seg_dead_weight',
        'seg_engaged_30d', 'seg_engaged_60d', 'seg_engaged_90d', 'seg_new_subscribers',
        'seg_over_pressured', 'seg_local_audience', 'seg_high_value_cart_abandoners',
        'seg_loyal_buyers', 'seg_bargain_hunters', 'seg_big_spenders',
        'seg_category_repeat_buyers', 'seg_discount_buyers', 'seg_recommendation_clickers',
        'seg_undecided_visitors', 'seg_current_sale_buyers', 'seg_sale_cart_abandoners',
        'seg_last_sale_buyers', 'seg_rising_stars',
        'seg_at_risk_vips', 'seg_likely_to_buy_soon',
    ]) }}
{%- endmacro %}
